import { execFileSync } from 'child_process';

/** Whether this run must not skip anything (CI=true). */
export const IN_CI = /^(1|true|yes)$/i.test(process.env.CI ?? '');

export function hasBinary(name: string): boolean {
  try {
    execFileSync('sh', ['-c', `command -v ${name}`], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

/**
 * describe() for tests that run real programs. Locally a missing program skips the
 * block with a loud warning; under CI=true it is a failing test instead.
 */
export function describeWithBinaries(binaries: readonly string[], title: string, body: () => void): void {
  const missing = binaries.filter((b) => !hasBinary(b));
  if (missing.length === 0) {
    describe(title, body);
    return;
  }
  const message = `${title}: missing ${missing.join(', ')} (.ci/run installs them: apt-get install redis-server redis-sentinel redis-tools prometheus prometheus-alertmanager prometheus-redis-exporter openssl python3 python3-venv; Go 1.26 from go.dev)`;
  if (IN_CI) {
    describe(title, () => {
      test('has the programs it runs', () => {
        throw new Error(message);
      });
    });
  } else {
    // eslint-disable-next-line no-console
    console.warn(`\n!!! SKIPPED LOCALLY — ${message}\n`);
    describe.skip(title, body);
  }
}
