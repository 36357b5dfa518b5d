import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    // Tests run the real kustomize, kubeconform and the CLIs as child processes on 2 shared cores.
    testTimeout: 60_000,
    hookTimeout: 120_000,
    // Most tests wait on child processes and the cluster (the lab file waits ~4 min on the HPA):
    // three files at a time on 2 cores (vitest's default there is one), so the waiting cluster
    // tests overlap the unit tests.
    maxWorkers: 3,
    projects: [
      {
        extends: true,
        test: {
          name: 'unit',
          include: ['tests/**/*.test.ts'],
          exclude: ['tests/cluster/**'],
          // The CLIs the tests spawn run dist/ through the launcher: built once here.
          globalSetup: ['tests/start/global-setup.ts'],
        },
      },
      {
        // Against the real local control plane, which the global setup starts or reuses. Files
        // that change the same objects share one file (triage-namespace.test.ts); the others use
        // private clusters or other namespaces, so the files run in parallel.
        extends: true,
        test: {
          name: 'cluster',
          include: ['tests/cluster/**/*.test.ts'],
          globalSetup: ['tests/start/global-setup.ts', 'tests/cluster/global-setup.ts'],
          testTimeout: 240_000,
          hookTimeout: 240_000,
        },
      },
    ],
  },
});
