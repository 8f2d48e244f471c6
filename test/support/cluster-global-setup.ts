import * as crypto from 'crypto';
import { TEST_RUN_ENV } from './cluster';

/**
 * Jest global setup: a token for this run. A test file that needs the local cluster starts it with this
 * token as owner (workers inherit the environment), and the global teardown stops only a cluster this run
 * started: a cluster a developer started with `npm run cluster -- up` stays up.
 */
export default function globalSetup(): void {
  process.env[TEST_RUN_ENV] ??= `jest-${process.pid}-${crypto.randomBytes(4).toString('hex')}`;
}
