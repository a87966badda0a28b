import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

export default defineConfig({
  resolve: {
    // Tests import the library API by its package name, as users do; it resolves to the sources here.
    alias: [
      { find: /^pullsim$/, replacement: fileURLToPath(new URL('./sim/index.ts', import.meta.url)) },
      { find: /^pullsim\/vitest$/, replacement: fileURLToPath(new URL('./sim/vitest.ts', import.meta.url)) },
    ],
  },
  test: {
    include: ['test/**/*.test.ts'],
    setupFiles: ['test/setup.ts'],
    // The JSON report is what .ci/run turns into its last line, "N passed, M failed".
    reporters: ['default', ['json', { outputFile: 'reports/vitest.json' }]],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    coverage: {
      provider: 'v8',
      // Every source file counts, tested or not.
      include: ['src/**/*.ts', 'sim/**/*.ts'],
      exclude: ['**/*.bench.ts', '**/_bench/**'],
      reporter: ['text-summary', 'json-summary'],
      reportsDirectory: 'coverage',
      thresholds: {
        lines: 90,
        branches: 90,
        'src/**/*.ts': { lines: 95 },
      },
    },
  },
});
