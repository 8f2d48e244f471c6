import { down } from '../../scripts/cluster/cluster';
import { TEST_RUN_ENV } from './cluster';

/** Jest global teardown: stops the local cluster if this run started it, after passing and failing runs alike. */
export default async function globalTeardown(): Promise<void> {
  const owner = process.env[TEST_RUN_ENV];
  if (owner) await down(owner);
}
