import { describeWithBinaries } from '../support/binaries';
import { CLUSTER_BINARIES, FAST_SCRIPT_ENV, RedisCluster, settledCluster, waitFor } from '../support/redis';

jest.setTimeout(90000);

describeWithBinaries(CLUSTER_BINARIES, 'a master without replicas refuses writes it could lose (min-replicas-to-write)', () => {
  let cluster: RedisCluster;
  const logged = settledCluster({ octet: 14, env: FAST_SCRIPT_ENV }, (c) => (cluster = c));

  test('with both replicas down writes fail with NOREPLICAS, reads still work, and writes succeed again when one replica returns', logged(async () => {
    const master = await cluster.waitSettled();
    const [minReplicas] = /min-replicas-to-write (\d+)/.exec(cluster.config['redis-master.conf'])!.slice(1).map(Number);
    expect(minReplicas).toBeGreaterThanOrEqual(1);
    expect(await cluster.ask(master, 'app', 'SET', 'session:mr:before', '1')).toBe('OK');
    const replicas = cluster.redis.filter((p) => p !== master);
    // Stop the sentinels too, so nobody promotes anything while the replicas are gone.
    await Promise.all(cluster.sentinels.map((s) => cluster.stop(s)));
    await Promise.all(replicas.map((r) => cluster.stop(r)));
    const lag = Number(/min-replicas-max-lag (\d+)/.exec(cluster.config['redis.conf'])![1]);
    // The master notices when the replicas' last ACK is older than min-replicas-max-lag.
    const refused = await waitFor('the master to refuse writes', async () => {
      const r = await cluster.cli(master, 'app', ['SET', 'session:mr:during', '1']);
      return /NOREPLICAS/.test(r.stdout) ? r.stdout.trim() : undefined;
    }, (lag + 5) * 1000, 250);
    expect(refused).toMatch(/^NOREPLICAS Not enough good replicas to write/);
    expect(await cluster.ask(master, 'app', 'GET', 'session:mr:before')).toBe('1');
    expect(await cluster.ask(master, 'app', 'EXISTS', 'session:mr:during')).toBe('0');

    cluster.start(replicas[0]);
    // The replica finds no sentinel, asks its peers, and follows the one that reports master.
    await waitFor('writes to be accepted again', async () => (await cluster.cli(master, 'app', ['SET', 'session:mr:after', '1'])).stdout.trim() === 'OK', 30000, 250);
    expect(await cluster.ask(master, 'app', 'WAIT', '1', '2000')).toBe('1');
    expect(await cluster.ask(replicas[0], 'app', 'GET', 'session:mr:after')).toBe('1');
  }));
});
