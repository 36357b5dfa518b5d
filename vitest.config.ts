import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['tests/**/*.test.ts'],
    // Tests run the real kustomize, kubeconform and the CLIs as child processes on 2 shared cores.
    testTimeout: 60_000,
    hookTimeout: 120_000,
  },
});
