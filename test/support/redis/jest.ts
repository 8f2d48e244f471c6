/**
 * Jest glue of the live Redis tests: the programs they need (for describeWithBinaries), a describe-level
 * cluster that starts settled and is always disposed, and a wrapper that prints the pods' logs on failure.
 */
import { ClusterOptions, RedisCluster } from './cluster';

/** Programs every live cluster test runs. */
export const CLUSTER_BINARIES = ['redis-server', 'redis-sentinel', 'redis-cli', 'openssl'];

/**
 * For the enclosing describe: beforeAll starts a cluster (handing it to `use`) and waits
 * for one agreed master, afterAll kills every process. Returns the log-on-failure wrapper.
 */
export function settledCluster(options: ClusterOptions, use: (cluster: RedisCluster) => void, logLines = 60) {
  let current: RedisCluster | undefined;
  beforeAll(async () => {
    current = new RedisCluster(options);
    use(current);
    current.startAll();
    await current.waitSettled(45000);
  });
  afterAll(async () => {
    await current?.dispose();
  });
  return withLogs(() => current, logLines);
}

/** Wrap a test body so a failure prints the tail of every container log of the cluster. */
export function withLogs(cluster: () => RedisCluster | undefined, lines = 60) {
  return (body: () => Promise<void>) => async () => {
    try {
      await body();
    } catch (e) {
      // eslint-disable-next-line no-console
      console.log(cluster()?.logs(lines));
      throw e;
    }
  };
}
