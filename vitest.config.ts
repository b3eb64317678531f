import { availableParallelism } from 'node:os';
import { defineConfig } from 'vitest/config';

/**
 * Workers for `unit` and `integration`: vitest's default (one less than the cores) is one on
 * CI's two cores, which leaves the second idle while a file waits on its hub, a child process
 * or a socket. Every file has its own hub, port and database (PostgreSQL: a database per file),
 * so two run side by side.
 */
const TEST_WORKERS = Math.max(2, availableParallelism() - 1);

/**
 * Test projects: `unit` and `integration` run in `npm test`; `e2e` (browser) and `cluster`
 * are separate suites that .ci/run calls after it.
 *
 * `unit` and `integration` share modules across the files a worker runs (isolate: false): a
 * file then imports the server's modules once per worker instead of once per file (about a
 * second and a half each: a third of `npm test`'s time). Every file starts its
 * own hub and database; what is kept between files is what the modules hold at their top.
 */
export default defineConfig({
  test: {
    projects: [
      {
        test: {
          name: 'unit',
          include: ['tests/unit/**/*.test.ts'],
          environment: 'node',
          isolate: false,
          maxWorkers: TEST_WORKERS,
        },
      },
      {
        test: {
          name: 'integration',
          include: ['tests/integration/**/*.test.ts'],
          environment: 'node',
          isolate: false,
          maxWorkers: TEST_WORKERS,
          testTimeout: 60_000,
          hookTimeout: 60_000,
        },
      },
      {
        test: {
          name: 'e2e',
          include: ['tests/e2e/**/*.test.ts'],
          environment: 'node',
          testTimeout: 60_000,
          hookTimeout: 60_000,
          // Two files at a time: each starts its own hub (a process on port 0, its own SQLite
          // file) and its own Chromium, and the screens test, a third of the suite, runs beside
          // the rest.
          fileParallelism: true,
          maxWorkers: 2,
        },
      },
      {
        test: {
          name: 'cluster',
          include: ['tests/cluster/**/*.test.ts'],
          environment: 'node',
          testTimeout: 90_000,
          hookTimeout: 60_000,
          fileParallelism: false,
        },
      },
    ],
  },
});
