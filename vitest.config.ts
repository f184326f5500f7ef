// Test layers. `npm test` runs unit, integration, conformance and e2e (npm packages only);
// `npm run test:system` runs what needs Debian packages (mosquitto, clang/lld, python3-torch,
// chromium) or the shared datasets under HAR_DATA_DIR.
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    projects: [
      { test: { name: 'unit', include: ['test/unit/**/*.test.ts'] } },
      { test: { name: 'integration', include: ['test/integration/**/*.test.ts'], testTimeout: 30_000 } },
      { test: { name: 'conformance', include: ['test/conformance/**/*.test.ts'], testTimeout: 120_000 } },
      { test: { name: 'e2e', include: ['test/e2e/**/*.test.ts'], testTimeout: 60_000, fileParallelism: false } },
      { test: { name: 'system', include: ['test/system/**/*.test.ts'], testTimeout: 600_000, hookTimeout: 120_000, fileParallelism: false } },
    ],
  },
});
