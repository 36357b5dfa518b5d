import { ensureBinaries, ensureFluxBinaries } from './cluster/build.js';
import { down, status, up } from './cluster/lifecycle.js';
import { readVersions } from './cluster/versions.js';
import { parseCommandLine } from './lib/args.js';
import { EXIT_CLEAN, EXIT_ERROR, EXIT_FINDINGS, ExitError } from './lib/exit-error.js';
import { isMainModule, runMain } from './lib/main.js';

/**
 * A local Kubernetes control plane on 127.0.0.1 from the real upstream components (etcd,
 * kube-apiserver, kube-controller-manager, kube-scheduler, metrics-server) with kwok simulating
 * the nodes and the pods' CPU: `up`, `down`, `status`, `env`.
 */

export const USAGE = `Usage: npm run cluster -- up [--crds] [--flux] | down | status | env | build [--flux]

  up       build the binaries if missing (about 12 minutes the first time), start the cluster on
           127.0.0.1 (about 10 s), print the kubeconfig's path; a running cluster is reused
  --crds   also install the CRDs the overlays and GitOps manifests use (SecretProviderClass,
           Argo CD Application, Flux GitRepository and Kustomization)
  --flux   also run Flux: source-controller and kustomize-controller (built from
           controlplane/flux/go.mod the first time), their own CRDs, and a git server on 127.0.0.1
           serving this repository's HEAD as main; then apply clusters/flux/local (Flux syncs
           overlays/dev into namespace triage-flux). On a running cluster with Flux, refreshes the
           served main from HEAD (dropping commits pushed to it)
  down     stop exactly the processes up started and remove the state directory
  status   each component's PID, version and readiness; exit 1 when one is down or not ready
  env      print \`export KUBECONFIG=…\` for the running cluster (eval "$(npm run -s cluster -- env)")
  build    only build the binaries if missing (what \`validate --server\` starts etcd and
           kube-apiserver from), and print their directory; with --flux, the Flux controllers too

State lives in .cache/cluster/ (TRIAGE_CLUSTER_STATE moves it), binaries in .tools/controlplane/.
Exit codes: 0 done (status: all ready), 1 status found a component down, 2 error.`;

const log = (line: string) => process.stderr.write(`cluster: ${line}\n`);

/** One process's line in `status`: name, PID, version, readiness (and its log when it is down). */
function printHealth(each: {
  record: { name: string; pid: number; version: string; log: string };
  running: boolean;
  ready: boolean;
  detail: string;
}): void {
  const mark = each.ready ? 'ready' : each.running ? `NOT READY (${each.detail})` : `DOWN (${each.detail})`;
  process.stdout.write(
    `  ${each.record.name.padEnd(24)} pid ${String(each.record.pid).padEnd(8)} ${each.record.version.padEnd(9)} ${mark}\n`,
  );
  if (!each.running) process.stdout.write(`    log: ${each.record.log}\n`);
}

export async function main(argv: readonly string[] = process.argv.slice(2)): Promise<number> {
  const { values, positionals } = parseCommandLine(
    {
      args: [...argv],
      allowPositionals: true,
      options: {
        crds: { type: 'boolean' },
        flux: { type: 'boolean' },
        help: { type: 'boolean', short: 'h' },
      },
    },
    USAGE,
  );
  if (values.help) {
    process.stdout.write(`${USAGE}\n`);
    return EXIT_CLEAN;
  }
  const [command, ...extra] = positionals;
  if (extra.length > 0) throw new ExitError(`unexpected argument ${extra[0]}\n\n${USAGE}`, EXIT_ERROR);
  if (values.crds && command !== 'up') throw new ExitError(`--crds goes with up\n\n${USAGE}`, EXIT_ERROR);
  if (values.flux && command !== 'up' && command !== 'build')
    throw new ExitError(`--flux goes with up or build\n\n${USAGE}`, EXIT_ERROR);
  switch (command) {
    case 'up': {
      const result = await up({ crds: values.crds, flux: values.flux, log });
      if (result.started) log(`started in ${(result.elapsedMs / 1000).toFixed(1)} s`);
      log(`kubeconfig: ${result.state.kubeconfig}`);
      log(
        `use it with: export KUBECONFIG=${result.state.kubeconfig}   (or: eval "$(npm run -s cluster -- env)")`,
      );
      // stdout carries only the path, for scripts.
      process.stdout.write(`${result.state.kubeconfig}\n`);
      return EXIT_CLEAN;
    }
    case 'build': {
      const binaries = await ensureBinaries(log);
      process.stdout.write(`${binaries.dir}\n`);
      if (values.flux) process.stdout.write(`${(await ensureFluxBinaries(log)).dir}\n`);
      return EXIT_CLEAN;
    }
    case 'down': {
      const result = await down(log);
      log(
        result.found ? 'the local cluster is stopped and its state removed' : 'no local cluster was running',
      );
      return EXIT_CLEAN;
    }
    case 'env': {
      const report = await status();
      if (!report.state)
        throw new ExitError('no local cluster is running: start one with `npm run cluster -- up`');
      process.stdout.write(`export KUBECONFIG=${report.state.kubeconfig}\n`);
      return EXIT_CLEAN;
    }
    case 'status': {
      const report = await status();
      if (!report.state) {
        process.stdout.write('no local cluster is running (start one with `npm run cluster -- up`)\n');
        return EXIT_FINDINGS;
      }
      const versions = readVersions();
      process.stdout.write(`local cluster at ${report.state.server}, started ${report.state.startedAt}\n`);
      process.stdout.write(`kubeconfig: ${report.state.kubeconfig}\n`);
      for (const each of [...report.components, ...report.flux]) printHealth(each);
      if (report.state.flux) process.stdout.write(`  git server: ${report.state.flux.gitUrl}\n`);
      const metrics = report.metrics
        ? report.metrics.available
          ? 'Available'
          : `NOT AVAILABLE (${report.metrics.detail})`
        : 'unknown (API server down)';
      process.stdout.write(`  metrics.k8s.io APIService ${metrics}\n`);
      process.stdout.write(
        `simulated by kwok ${versions.kwok}: nodes and pod CPU/memory; real: etcd, API server, controllers, scheduler, metrics-server\n`,
      );
      return report.healthy ? EXIT_CLEAN : EXIT_FINDINGS;
    }
    default:
      throw new ExitError(
        `${command ? `unknown command ${command}` : 'a command is required'}\n\n${USAGE}`,
        EXIT_ERROR,
      );
  }
}

if (isMainModule(import.meta.url)) {
  await runMain(() => main());
}
