import * as http from 'http';
import Redis from 'ioredis';
import { allRules, metricNames, operatorRules } from '../monitoring/support';
import { describeWithBinaries } from '../support/binaries';
import {
  AckedWriter, CLUSTER_BINARIES, FAST_SCRIPT_ENV, MasterEndpoint, RedisCluster, masterEndpointDrill, settledCluster, sleep, startMasterEndpoint, waitFor,
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

  test('HAProxy serves /healthz and /metrics, and every haproxy_* metric the alert rules use is in its live output', logged(async () => {
    const get = (url: string) => new Promise<{ status: number; body: string }>((resolve, reject) => {
      http.get(url, { timeout: 3000 }, (res) => {
        let body = '';
        res.on('data', (d) => (body += d));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
      }).on('error', reject);
    });
    const pod = endpoint.pods[0];
    const port = pod.container.ports.find((p: any) => p.name === 'metrics').containerPort;
    expect((await get(`http://${pod.ip}:${port}/healthz`)).status).toBe(200);
    const metrics = await get(`http://${pod.ip}:${port}/metrics`);
    const scraped = new Set(metrics.body.split('\n').filter((l) => /^haproxy_/.test(l)).map((l) => l.split(/[{ ]/)[0]));
    const used = new Set(allRules(operatorRules(cluster.objects)).flatMap((r) => metricNames(r.expr)).filter((n) => n.startsWith('haproxy_')));
    expect(used.size).toBeGreaterThan(0);
    expect([...used].filter((n) => !scraped.has(n))).toEqual([]);
    // The backend the alert reads sees exactly one server up: the master.
    expect(metrics.body).toMatch(/^haproxy_backend_active_servers\{proxy="redis_master"\} 1$/m);
  }));

  test('SIGKILL of the master: writes through the endpoint flow to the new master, none is lost, READONLY only during the switch', logged(async () => {
    const client = plainClient(0);
    try {
      const drill = await masterEndpointDrill(cluster, client);
      console.log(`master endpoint: kill → sentinels agree ${drill.failoverSeconds.toFixed(2)} s; first write through HAProxy ${drill.switchSeconds.toFixed(2)} s after the failover; ${drill.acked} acknowledged, ${drill.lost} lost; ${drill.readonly} READONLY, ${drill.errors} errors in all`);
      expect(drill.newMaster).not.toBe(drill.oldMaster);
      expect(drill.lost).toBe(0);
      // HAProxy follows within one check interval plus the replica reconnecting after the failover.
      expect(drill.switchSeconds).toBeLessThan(5);
      // After the switch every write through either HAProxy pod is acknowledged: no READONLY, no error.
      const tail = new AckedWriter(plainClient(1), `session:endpoint:tail:${Date.now()}:`, 1000).start();
      await tail.waitAcks(100);
      await tail.stop();
      expect(tail.errors).toEqual([]);
      // The old master comes back as a replica; the endpoint keeps routing to the new master.
      cluster.start(drill.oldMaster);
      await cluster.waitSettled(60000, `${drill.oldMaster.name} to rejoin as a replica`);
      await sleep(1500);
      const check = plainClient(0);
      try {
        expect(await runIdThrough(check)).toBe(await runIdOf(drill.newMaster));
      } finally {
        check.disconnect();
      }
    } finally {
      client.disconnect();
    }
  }));
});
