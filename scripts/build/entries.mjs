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
