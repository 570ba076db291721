// What a test needs from the machine (a server, a kernel feature, the reference CrowdSec). When
// it is missing the test is skipped with the reason, except under CI (`CI` set, as .ci/run
// runs): every such dependency is one the project's own scripts install (scripts/setup.sh,
// scripts/test-servers.sh, scripts/fetch-reference.sh), so its absence there is a broken install,
// and the test fails with the reason instead of hiding it behind a skip.
import test from 'ava';

type Runner = typeof test | typeof test.serial;

/** Whether this run is CI's: `CI` set to anything but an explicit false. */
export function underCi(env: NodeJS.ProcessEnv = process.env): boolean {
  const ci = env.CI?.trim().toLowerCase();
  return ci !== undefined && ci !== '' && ci !== 'false' && ci !== '0';
}

/**
 * `runner` itself when nothing is `missing`; otherwise its `skip` (title suffixed with the
 * reason), or under CI a runner whose tests fail with the reason.
 */
export function requires<R extends Runner>(runner: R, missing: string | null, env: NodeJS.ProcessEnv = process.env): R {
  if (missing === null) return runner;
  if (!underCi(env)) {
    return ((title: string, ...rest: unknown[]) =>
      (runner.skip as (title: string, ...rest: unknown[]) => void)(`${title} (skipped: ${missing})`, ...rest)) as unknown as R;
  }
  return ((title: string) =>
    (runner as (title: string, fn: (t: { fail(message: string): void }) => void) => void)(title, (t) => {
      t.fail(`missing under CI: ${missing}. The project's setup scripts install this; a skip here would hide a broken install`);
    })) as unknown as R;
}
