/**
 * deploy and the scaling lab both change overlays/dev and prod in namespace triage of the shared
 * local cluster: one file, so they run one after the other while the other cluster tests (private
 * clusters, other namespaces) run beside them.
 */
import './deploy.suite.js';
import './lab.suite.js';
