// Whether the tests run in CI (CI set and not "false"): there a missing Chromium or PostgreSQL fails the tests
// that need it instead of skipping them, so a run without them cannot pass for one with them.
export const runningInCi = process.env.CI !== undefined && process.env.CI !== '' && process.env.CI !== 'false';
