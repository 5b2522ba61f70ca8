/**
 * Skip or fail. A system test that cannot run here (not root, no engine, a missing tool) skips
 * with the reason — except when FAULTLINE_REQUIRE_SYSTEM=1, which CI's system step
 * (scripts/ci/system-tests.sh) sets once its setup has succeeded as root: then the same reason is
 * a failure, so CI is never green with system tests skipped. See docs/testing.md.
 */
import type { TestContext } from 'node:test';

export const REQUIRE_ENV = 'FAULTLINE_REQUIRE_SYSTEM';

export function systemTestsRequired(): boolean {
  return process.env[REQUIRE_ENV] === '1';
}

export class RequiredSystemTestError extends Error {
  readonly code = 'ERR_SYSTEM_TEST_WOULD_SKIP';
}

function requiredError(where: string, reason: string): RequiredSystemTestError {
  return new RequiredSystemTestError(`${where} would skip (${reason}), but ${REQUIRE_ENV}=1 says everything it needs was set up (CI's setup succeeded as root): this is a failure`);
}

/**
 * The `skip` option of a describe() or test(): the reason when these tests cannot run here, or
 * undefined. When system tests are required, a reason throws instead (at load time, so the file
 * fails with it). `where` names the test file (import.meta.url) or the test.
 */
export function skipUnlessRequired(reason: string | undefined, where: string): string | undefined {
  if (reason === undefined || !systemTestsRequired()) return reason;
  throw requiredError(where.replace(/^file:\/\//, ''), reason);
}

/** For a test that finds out while running that it cannot: skips it, or fails it when system tests are required. */
export function skipTest(t: TestContext, reason: string): void {
  if (systemTestsRequired()) throw requiredError(`test "${t.name}"`, reason);
  t.skip(reason);
}
