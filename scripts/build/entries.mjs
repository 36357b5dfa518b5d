/**
 * The commands the launcher (scripts/start.mjs) runs, by name: each one's source entry point.
 * Plain JavaScript so the launcher reads it without a TypeScript loader.
 */
export const ENTRIES = Object.freeze({
  validate: 'scripts/validate.ts',
  diff: 'scripts/diff.ts',
  loadtest: 'scripts/loadtest.ts',
  'wait-for-sync': 'scripts/wait-for-sync.ts',
  cluster: 'scripts/cluster.ts',
  deploy: 'scripts/deploy.ts',
  bench: 'scripts/bench.ts',
  docs: 'scripts/docs/generate-rules.ts',
  // Daemons other commands start as processes of their own (spawnDevServer, `cluster up --flux`):
  // compiled like the commands, so they never need a TypeScript loader either.
  'dev-server': 'scripts/loadtest/dev-server.ts',
  'git-server': 'scripts/cluster/git-server.ts',
});

/**
 * The commands that also start from a V8 startup snapshot (scripts/build/snapshot.mjs): the
 * compiled command with every module loaded, and compiled, by the warm-up runs below, which run
 * on this repository's own overlays while the snapshot is built (`{scratch}` is a directory of
 * their own, removed afterwards). Each entry exports `main(argv)`.
 */
export const SNAPSHOTS = Object.freeze({
  validate: {
    warmUp: [
      ['--format', 'text', '--output', '{scratch}/report.txt'],
      ['--format', 'json', '--output', '{scratch}/report.json'],
      ['--format', 'sarif', '--output', '{scratch}/report.sarif'],
      ['--list-rules'],
    ],
  },
});
