/**
 * What the live tests feed the Redis harness in place of a cluster: the base name of the objects, fresh
 * fixture passwords for the ACL users that src/ declares, and fast polling knobs for the scripts. Names and
 * users come from src/, so a new ACL user needs no edit here.
 */
import * as crypto from 'crypto';
import { ACL_USERS, AclUser } from '../../../src/components/redis/contract';
import { releaseInfo } from '../../../src/synth/outputs';

/** Base name of the objects of dist/ and of in-memory renders: the release name (no fullnameOverride). */
export const FULLNAME = releaseInfo().releaseName;

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
