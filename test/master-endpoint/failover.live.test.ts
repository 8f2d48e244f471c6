import Redis from 'ioredis';
import { describeWithBinaries } from '../support/binaries';
import {
  AckedWriter, CLUSTER_BINARIES, FAST_SCRIPT_ENV, MasterEndpoint, RedisCluster, settledCluster, sleep, startMasterEndpoint, waitFor,
} from '../support/redis';

jest.setTimeout(180000);

/**
 * The production master endpoint (HAProxy, TLS to the clients and to Redis) in front of the production
 * Sentinel topology, both from dist/production, on loopback. A plain client (no Sentinel) writes
 * through it while the master is killed.
 */
describeWithBinaries([...CLUSTER_BINARIES, 'haproxy', 'unshare'], 'the master endpoint sends plain clients to the master, also across a failover', () => {
  let cluster: RedisCluster;
  let endpoint: MasterEndpoint;
  const logged = settledCluster({ octet: 17, env: FAST_SCRIPT_ENV }, (c) => (cluster = c));

  beforeAll(async () => {
    endpoint = await startMasterEndpoint(cluster);
  });
  afterAll(() => endpoint?.stop());

  /** A client that knows only the endpoint's address: TLS with the release CA, the app ACL user. */
  function plainClient(pod = 0, options: Record<string, unknown> = {}): Redis {
    const p = endpoint.pods[pod];
    const c = new Redis({
      host: p.ip,
      port: p.port,
      username: 'app',
      password: cluster.passwords.app,
      tls: { ca: cluster.tls!.ca.cert, servername: endpoint.host },
      connectTimeout: 1000,
      retryStrategy: () => 50,
      maxRetriesPerRequest: null,
      autoResendUnfulfilledCommands: false,
      disconnectTimeout: 200,
      ...options,
    });
    c.on('error', () => undefined);
    return c;
  }

  async function runIdThrough(client: Redis): Promise<string> {
    const info = await Promise.race([client.info('server'), sleep(2000).then(() => { throw new Error('no answer through the endpoint within 2 s'); })]);
    return /run_id:(\w+)/.exec(info)![1];
  }

  async function runIdOf(pod: RedisCluster['redis'][number]): Promise<string> {
    return (await cluster.info(pod, 'server')).run_id;
  }

  test('every HAProxy pod routes to the one master, verifying its certificate; a replica never gets a connection', logged(async () => {
    const master = await cluster.waitSettled();
    const masterId = await runIdOf(master);
    for (let i = 0; i < endpoint.pods.length; i++) {
      const client = plainClient(i);
      try {
        await waitFor(`HAProxy pod ${i} to route to the master`, async () => (await runIdThrough(client).catch(() => '')) === masterId, 20000, 100);
        expect(await client.role()).toEqual(expect.arrayContaining(['master']));
        expect(await client.set('session:endpoint:probe', String(i), 'EX', 60)).toBe('OK');
      } finally {
        client.disconnect();
      }
    }
    const log = endpoint.pods.map((p) => require('fs').readFileSync(p.logFile, 'utf8')).join('\n');
    // The replicas are marked down by the role check, not by a TLS or AUTH failure.
    expect(log).not.toMatch(/SSL handshake failure|certificate verify failed|WRONGPASS|NOAUTH/);
    expect(log).toMatch(/TCPCHK did not match content/);
  }));

  test('SIGKILL of the master: writes through the endpoint flow to the new master, none is lost, READONLY only during the switch', logged(async () => {
    const oldMaster = await cluster.waitSettled();
    const client = plainClient(0);
    const writer = new AckedWriter(client, `session:endpoint:${Date.now()}:`, 1000).start();
    try {
      await writer.waitAcks(100);
      const from = writer.next;
      const errorsBefore = writer.errors.length;
      const t0 = Date.now();
      await cluster.kill(oldMaster);
      // When the sentinels name the new master (their failover is done).
      const failedOverAt = await waitFor('the sentinels to name a new master', async () => {
        const named = await cluster.sentinelMasters();
        return named.filter((ip) => ip && ip !== oldMaster.ip).length >= 2 ? Date.now() : undefined;
      }, 60000, 50);
      await waitFor('the first acknowledged write through the endpoint', () => writer.firstAckFrom(from), 60000, 20);
      const firstAck = writer.firstAckFrom(from)!;
      await writer.waitAcks(200);
      const endAt = Date.now();
      await writer.stop();
      const newMaster = await cluster.waitSettled(60000, 'the new master with its replicas').catch(async () => (await cluster.masters())[0]);
      expect(newMaster).not.toBe(oldMaster);
      const lost = await writer.missingOn(cluster, newMaster);
      const switchSeconds = (firstAck - failedOverAt) / 1000;
      const errors = writer.errors.slice(errorsBefore);
      const readonly = errors.filter((e) => /READONLY/.test(e)).length;
      console.log(`master endpoint: kill → sentinels agree ${((failedOverAt - t0) / 1000).toFixed(2)} s; first write through HAProxy ${((firstAck - t0) / 1000).toFixed(2)} s after the kill, ${switchSeconds.toFixed(2)} s after the failover; ${writer.acked.length} acknowledged, ${lost.length} lost; ${readonly} READONLY, ${errors.length} errors in all`);
      expect(lost).toEqual([]);
      // HAProxy follows within one check interval plus the replica reconnecting after the failover.
      expect(switchSeconds).toBeLessThan(5);
      // After the switch every write is acknowledged: no READONLY (or any error) from then on.
      const lastError = writer.errors.length;
      const tail = new AckedWriter(plainClient(1), `session:endpoint:tail:${Date.now()}:`, 1000).start();
      await tail.waitAcks(100);
      await tail.stop();
      expect(tail.errors).toEqual([]);
      expect(writer.errors.length).toBe(lastError);
      expect(endAt).toBeGreaterThan(firstAck);
      // The old master comes back as a replica; the endpoint keeps routing to the new master.
      cluster.start(oldMaster);
      await cluster.waitSettled(60000, `${oldMaster.name} to rejoin as a replica`);
      await sleep(1500);
      const check = plainClient(0);
      try {
        expect(await runIdThrough(check)).toBe(await runIdOf(newMaster));
      } finally {
        check.disconnect();
      }
    } finally {
      await writer.stop();
      client.disconnect();
    }
  }));
});
