import { describeWithBinaries } from '../support/binaries';
import { CLUSTER_BINARIES, FAST_SCRIPT_ENV, Pod, RedisCluster, settledCluster, sleep } from '../support/redis';

jest.setTimeout(180000);

/**
 * Start orders, in terms of the master M before the stop, its replicas A/B and the
 * sentinels S0..S2. Each order starts one pod every 300 ms.
 */
const ORDERS: [string, (m: Pod, a: Pod, b: Pod, s: Pod[]) => Pod[]][] = [
  ['Redis nodes first (replicas before the old master), then the sentinels', (m, a, b, s) => [b, a, m, s[2], s[0], s[1]]],
  ['sentinels first, the old master last', (m, a, b, s) => [s[1], s[0], s[2], a, b, m]],
  ['interleaved: old master, sentinel, replica, sentinel, replica, sentinel', (m, a, b, s) => [m, s[2], b, s[0], a, s[1]]],
];

describeWithBinaries(CLUSTER_BINARIES, 'a full restart in any order comes back with one master and all data', () => {
  let cluster: RedisCluster;
  const logged = settledCluster({ octet: 16, env: FAST_SCRIPT_ENV, maxLifetimeSeconds: 400 }, (c) => (cluster = c), 80);
  const written: string[] = [];

  for (const [name, order] of ORDERS) {
    test(`stop all six processes, start them ${name}: exactly one master, sentinels agree, every key is back`, logged(async () => {
      const master = await cluster.waitSettled(60000);
      const key = `session:restart:${written.length}`;
      await cluster.ask(master, 'app', 'SET', key, 'v');
      expect(await cluster.ask(master, 'app', 'WAIT', '2', '5000')).toBe('2');
      written.push(key);

      await cluster.stopAll('SIGTERM');
      const [a, b] = cluster.redis.filter((p) => p !== master);
      const started = Date.now();
      for (const pod of order(master, a, b, cluster.sentinels)) {
        cluster.start(pod);
        await sleep(300);
      }
      const after = await cluster.waitSettled(90000, `one master after starting ${name}`);
      console.log(`full restart (${name}): settled in ${((Date.now() - started) / 1000).toFixed(1)} s, master ${after.name} (was ${master.name})`);
      expect(await cluster.masters()).toEqual([after]);
      expect(await cluster.sentinelMasters()).toEqual(cluster.sentinels.map(() => after.ip));
      for (const pod of cluster.redis) {
        for (const k of written) expect({ pod: pod.name, key: k, value: await cluster.ask(pod, 'app', 'GET', k) }).toEqual({ pod: pod.name, key: k, value: 'v' });
      }
    }));
  }
});
