import { startupSnapshot } from 'node:v8';

/**
 * validate starts from a V8 startup snapshot taken after warm-up runs (scripts/build/snapshot.mjs),
 * so a module's memory of what it found on this machine then (which kustomize, which kubeconform)
 * would outlive the build. `forget` runs as the snapshot starts a new process, which then looks
 * again; in a process not started from a snapshot it never runs.
 */
export function forgetAtSnapshotStart(forget: () => void): void {
  if (startupSnapshot.isBuildingSnapshot()) startupSnapshot.addDeserializeCallback(forget);
}
