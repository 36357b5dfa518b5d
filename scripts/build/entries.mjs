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
});
