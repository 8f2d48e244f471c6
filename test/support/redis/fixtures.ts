/**
 * What the live tests feed the Redis harness in place of a cluster: fresh fixture passwords for the ACL
 * users that src/ declares (a new user needs no edit here) and fast polling knobs for the scripts.
 */
import * as crypto from 'crypto';
import { ACL_USERS, AclUser } from '../../../src/components/redis/contract';

/** Fixture passwords, fresh per run (alphanumeric plus - and _). */
export function fixturePasswords(): Record<AclUser, string> {
  return Object.fromEntries(
    ACL_USERS.map((u) => [u, `${u}-${crypto.randomBytes(12).toString('base64url')}`]),
  ) as Record<AclUser, string>;
}

/** Tuning knobs the scripts read (no code branches): short polls so a test run stays fast. */
export const FAST_SCRIPT_ENV = {
  POLL_SECONDS: '0.2',
  CLI_TIMEOUT_SECONDS: '2',
  STARTUP_WAIT_SECONDS: '120',
};
