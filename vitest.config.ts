import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    // Tests run the real kustomize, kubeconform and the CLIs as child processes on 2 shared cores.
    testTimeout: 60_000,
    hookTimeout: 120_000,
    projects: [
      {
        extends: true,
        test: { name: 'unit', include: ['tests/**/*.test.ts'], exclude: ['tests/cluster/**'] },
      },
      {
        // Against the real local control plane: one file at a time, since they share its objects.
        extends: true,
        test: {
          name: 'cluster',
          include: ['tests/cluster/**/*.test.ts'],
          globalSetup: ['tests/cluster/global-setup.ts'],
          fileParallelism: false,
          testTimeout: 240_000,
          hookTimeout: 240_000,
        },
      },
    ],
  },
});
