/**
 * TLS on live servers (tls.enabled, as values/production.yaml has it): the production
 * topology from dist/production with certificates issued by a test CA exactly as
 * cert-manager lays out the Certificates' Secrets (test/support/tls-issuer.ts).
 * Loopback 127.0.18.x.
 */
import { execFile } from 'child_process';
import * as fs from 'fs';
import * as net from 'net';
import * as path from 'path';
import * as tls from 'tls';
import { promisify } from 'util';
import { describeWithBinaries } from '../support/binaries';
import { findObject } from '../support/manifests';
import { FAST_SCRIPT_ENV, Pod, RedisCluster, run, sleep, waitFor, withLogs } from '../support/redis';
import { CertificateAuthority, makeCa } from '../support/tls-issuer';

jest.setTimeout(90000);

/** What a plaintext client gets back for a PING on a raw TCP connection (all it reads before the server closes or 2 s pass). */
function plaintextPing(pod: Pod): Promise<{ connected: boolean; reply: string; closedByServer: boolean }> {
  return new Promise((resolve) => {
    let reply = '';
    let connected = false;
    const socket = net.connect({ host: pod.ip, port: pod.port });
    const timer = setTimeout(() => {
      socket.destroy();
      resolve({ connected, reply, closedByServer: false });
    }, 2000);
    socket.on('connect', () => {
      connected = true;
      socket.write('PING\r\n');
    });
    socket.on('data', (d) => (reply += d.toString('latin1')));
    socket.on('error', () => undefined);
    socket.on('close', () => {
      clearTimeout(timer);
      resolve({ connected, reply, closedByServer: true });
    });
  });
}

/** The TLS handshake as a verifying client sees it. */
function handshake(pod: Pod, ca: string): Promise<{ authorized: boolean; error?: string; cn?: string; san?: string; protocol?: string | null }> {
  return new Promise((resolve) => {
    const socket = tls.connect({ host: pod.ip, port: pod.port, ca, rejectUnauthorized: false });
    const timer = setTimeout(() => socket.destroy(new Error('handshake timeout')), 3000);
    socket.once('secureConnect', () => {
      clearTimeout(timer);
      const cert = socket.getPeerCertificate();
      resolve({ authorized: socket.authorized, error: socket.authorizationError?.toString(), cn: cert.subject?.CN as string | undefined, san: cert.subjectaltname, protocol: socket.getProtocol() });
      socket.destroy();
    });
    socket.once('error', (e) => {
      clearTimeout(timer);
      resolve({ authorized: false, error: e.message });
    });
  });
}

/** Listening TCP sockets (ip:port) by process group id, from ss and /proc. */
async function listeningByGroup(): Promise<Map<number, string[]>> {
  const ss = await run('ss', ['-Hltnp']);
  if (ss.code !== 0) throw new Error(`ss: ${ss.stderr}`);
  const out = new Map<number, string[]>();
  for (const line of ss.stdout.split('\n').filter(Boolean)) {
    const local = line.trim().split(/\s+/)[3];
    for (const m of line.matchAll(/pid=(\d+)/g)) {
      let stat: string;
      try {
        stat = fs.readFileSync(`/proc/${m[1]}/stat`, 'utf8');
      } catch {
        continue;
      }
      const pgrp = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[2]);
      out.set(pgrp, [...new Set([...(out.get(pgrp) ?? []), local])]);
    }
  }
  return out;
}

describeWithBinaries(['redis-server', 'redis-sentinel', 'redis-cli', 'openssl', 'ss'], 'Redis and Sentinel speak only TLS with the certificates cert-manager issues', () => {
  let cluster: RedisCluster;
  let otherCa: CertificateAuthority;
  const logged = withLogs(() => cluster);

  beforeAll(async () => {
    cluster = new RedisCluster({ octet: 18, env: FAST_SCRIPT_ENV });
    otherCa = makeCa(path.join(cluster.root, 'other-ca'), 'not-the-release-ca');
    cluster.startAll();
    await cluster.waitSettled(45000, 'the TLS topology to settle');
  });
  afterAll(async () => {
    await cluster?.dispose();
  });

  test('the production manifests turn TLS on and the harness runs in TLS mode with cert-manager\'s Secret layout', () => {
    expect(cluster.tlsEnabled).toBe(true);
    for (const p of cluster.pods) {
      expect({ pod: p.name, files: fs.readdirSync(p.volumes.tls).sort() }).toEqual({ pod: p.name, files: ['ca.crt', 'tls.crt', 'tls.key'] });
      expect(fs.readFileSync(path.join(p.volumes.tls, 'tls.key'), 'utf8')).toMatch(/^-----BEGIN EC PRIVATE KEY-----/);
    }
    expect(cluster.cliArgs).toEqual(['--tls', '--cacert', cluster.tls!.ca.certFile]);
  });

  test('every Redis node and Sentinel listens on its TLS port only, and the configs it runs say so', logged(async () => {
    const listening = await listeningByGroup();
    for (const p of cluster.pods) {
      expect({ pod: p.name, listening: listening.get(p.proc!.pid!) }).toEqual({ pod: p.name, listening: [`${p.ip}:${p.port}`] });
    }
    for (const p of cluster.redis) {
      const conf = fs.readFileSync(path.join(p.volumes.runtime, 'redis.conf'), 'utf8');
      expect(conf).toMatch(/^port 0$/m);
      expect(conf).toMatch(/^tls-port 6379$/m);
      expect(conf).toMatch(/^tls-replication yes$/m);
      expect(await cluster.ask(p, 'monitor', 'CONFIG', 'GET', 'port')).toBe('port\n0');
      expect(await cluster.ask(p, 'monitor', 'CONFIG', 'GET', 'tls-replication')).toBe('tls-replication\nyes');
    }
    for (const s of cluster.sentinels) {
      const conf = fs.readFileSync(path.join(s.volumes.data, 'sentinel.conf'), 'utf8');
      expect(conf).toMatch(/^port 0$/m);
      expect(conf).toMatch(/^tls-port 26379$/m);
      expect(conf).toMatch(/^tls-replication yes$/m);
    }
  }));

  test('the TLS port presents the Certificate of its role, signed by the release CA, valid for the pod\'s address', logged(async () => {
    for (const p of cluster.pods) {
      const certificate = findObject(cluster.objects, 'Certificate', `${cluster.fullname}-${p.kind}-tls`);
      const h = await handshake(p, cluster.tls!.ca.cert);
      expect({ pod: p.name, authorized: h.authorized, error: h.error, cn: h.cn }).toEqual({ pod: p.name, authorized: true, error: undefined, cn: certificate.spec.commonName });
      expect(h.protocol).toMatch(/^TLSv1\.[23]$/);
      // Node verified the name too (checkServerIdentity): the pod's loopback address stands for its DNS name.
      expect(tls.checkServerIdentity(p.ip, { subjectaltname: h.san } as tls.PeerCertificate)).toBeUndefined();
      for (const name of certificate.spec.dnsNames) expect(h.san).toContain(`DNS:${name}`);
    }
  }));

  test('a plaintext client is refused by Redis and by Sentinel (no reply, the server drops the connection)', logged(async () => {
    for (const p of [cluster.redis[0], cluster.sentinels[0]]) {
      const raw = await plaintextPing(p);
      expect({ pod: p.name, ...raw }).toEqual({ pod: p.name, connected: true, reply: '', closedByServer: true });
      const cli = await cluster.cli(p, 'monitor', ['PING'], { cliArgs: [] });
      expect(cli.stdout).not.toMatch(/PONG/);
      const plain = cluster.direct(p, 'monitor', { tls: undefined });
      await expect(plain.ping()).rejects.toThrow();
      expect(plain.status).not.toBe('ready');
    }
    // The same calls over TLS succeed.
    expect(await cluster.ask(cluster.redis[0], 'monitor', 'PING')).toBe('PONG');
    expect(await cluster.ask(cluster.sentinels[0], 'monitor', 'PING')).toBe('PONG');
    expect(await cluster.direct(cluster.sentinels[0], 'monitor').ping()).toBe('PONG');
  }));

  test('a client that trusts another CA is refused: redis-cli, a direct ioredis client and a Sentinel-aware one', logged(async () => {
    for (const p of [cluster.redis[0], cluster.sentinels[0]]) {
      const cli = await cluster.cli(p, 'monitor', ['PING'], { cliArgs: ['--tls', '--cacert', otherCa.certFile] });
      expect({ pod: p.name, out: (cli.stdout + cli.stderr).trim() }).toEqual({ pod: p.name, out: expect.stringMatching(/certificate verify failed/) });
      const h = await handshake(p, otherCa.cert);
      expect(h.authorized).toBe(false);
      const wrong = cluster.direct(p, 'monitor', { tls: { ca: otherCa.cert } });
      const seen: string[] = [];
      wrong.on('error', (e: Error) => seen.push(e.message));
      await expect(wrong.ping()).rejects.toThrow();
      expect({ pod: p.name, errors: seen.join('\n') }).toEqual({ pod: p.name, errors: expect.stringMatching(/self.signed|unable to (verify|get)|certificate/i) });
    }
    // Sentinel-aware: another CA for the sentinels → no sentinel is reachable (ioredis drops
    // the TLS reason there); the release CA for the sentinels but another for Redis → the
    // sentinels answer, the master's handshake fails.
    const release = cluster.tls!.ca.cert;
    for (const [sentinelCa, redisCa, reason] of [
      [otherCa.cert, otherCa.cert, /All sentinels are unreachable/],
      [release, otherCa.cert, /self.signed|unable to (verify|get)|certificate/i],
    ] as const) {
      const errors: string[] = [];
      const viaSentinels = cluster.client('app', { sentinelTLS: { ca: sentinelCa }, tls: { ca: redisCa }, sentinelRetryStrategy: () => null, retryStrategy: () => null, lazyConnect: true });
      viaSentinels.on('error', (e: Error) => errors.push(e.message));
      await viaSentinels.connect().catch((e: Error) => errors.push(e.message));
      await expect(viaSentinels.set('session:tls:wrong-ca', '1')).rejects.toThrow();
      expect(errors.join('\n')).toMatch(reason);
      expect(viaSentinels.status).not.toBe('ready');
    }
    // With the release CA the same client works.
    const good = cluster.client('app');
    expect(await good.set('session:tls:ok', '1')).toBe('OK');
    // ioredis' internal sentinel connections whose handshake failed hold a 2 s disconnect
    // timer (their stream never closes again); let it run out inside the test.
    await sleep(2100);
  }));

  test('replication and the sentinel links run over TLS: replicas are in sync, sentinels see the replicas and each other, with no plaintext port anywhere', logged(async () => {
    const master = await cluster.waitSettled();
    expect(await cluster.ask(master, 'app', 'SET', 'session:tls:replicated', 'over-tls')).toBe('OK');
    expect(await cluster.ask(master, 'app', 'WAIT', '2', '5000')).toBe('2');
    const clients = (await cluster.ask(master, 'monitor', 'CLIENT', 'LIST')).split('\n');
    for (const replica of cluster.redis.filter((p) => p !== master)) {
      expect(await cluster.ask(replica, 'app', 'GET', 'session:tls:replicated')).toBe('over-tls');
      expect(await cluster.info(replica)).toMatchObject({ master_host: master.ip, master_port: '6379', master_link_status: 'up' });
    }
    // The replicas' links end at the master's only port, the TLS port.
    const replicaLinks = clients.filter((l) => / flags=S /.test(l));
    expect(replicaLinks).toHaveLength(cluster.redis.length - 1);
    for (const l of replicaLinks) expect(l).toContain(` laddr=${master.ip}:6379 `);
    // Sentinels reach the master and the replicas (pings answered) and each other, all on TLS-only ports.
    for (const s of cluster.sentinels) {
      const view = await cluster.sentinelView(s);
      expect(view).toEqual({ ip: master.ip, flags: 'master', okReplicas: cluster.redis.length - 1, otherSentinels: cluster.sentinels.length - 1 });
      const replicas = await cluster.ask(s, 'sentinel', '--csv', 'SENTINEL', 'replicas', cluster.masterName);
      expect(replicas).not.toMatch(/disconnected|s_down/);
      const peers = await cluster.ask(s, 'sentinel', '--csv', 'SENTINEL', 'sentinels', cluster.masterName);
      expect(peers).not.toMatch(/disconnected|s_down/);
    }
    const sentinelLinks = clients.filter((l) => / name=sentinel-/.test(l));
    expect(sentinelLinks.length).toBeGreaterThanOrEqual(cluster.sentinels.length * 2);
    for (const l of sentinelLinks) expect(l).toContain(` laddr=${master.ip}:6379 `);
  }));
});

// The runbook's redis-cli helper (docs/runbook.md "Setup"): the script it runs inside a pod, with the
// pod's mount paths pointing at the simulated pod's folders, on a fresh cluster of the same topology.
const RUNBOOK = path.join(__dirname, '../../docs/runbook.md');

/** The script rcli() hands to `kubectl exec … sh -c '<script>' "$port" "$@"`. */
function podScript(markdown: string): string {
  const m = /kubectl exec -n "\$NS" "\$pod" -c "\$container" -- sh -c '([^']*)' "\$port" "\$@"/.exec(markdown);
  if (!m) throw new Error('docs/runbook.md: the rcli() helper with kubectl exec … sh -c \'…\' "$port" "$@" is missing');
  return m[1];
}

async function inPod(pod: Pod, script: string, args: string[]): Promise<{ code: number; output: string }> {
  // One pass, longest mount path first: a folder substituted for /etc/redis/secrets must not be rewritten for /tmp.
  const mountPaths = Object.keys(pod.mounts).sort((a, b) => b.length - a.length);
  const pattern = new RegExp(`(${mountPaths.map((m) => m.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')).join('|')})/`, 'g');
  const local = script.replace(pattern, (_, mountPath: string) => `${pod.mounts[mountPath]}/`);
  try {
    const { stdout, stderr } = await promisify(execFile)('sh', ['-c', local, String(pod.port), ...args], { env: { PATH: process.env.PATH!, POD_IP: pod.ip }, timeout: 10000 });
    return { code: 0, output: stdout + stderr };
  } catch (e: any) {
    return { code: e.code ?? -1, output: `${e.stdout ?? ''}${e.stderr ?? ''}` };
  }
}

describeWithBinaries(['redis-server', 'redis-sentinel', 'redis-cli', 'openssl'], 'the runbook\'s commands on the production topology over TLS', () => {
  let cluster: RedisCluster;
  const logged = withLogs(() => cluster);
  const script = podScript(fs.readFileSync(RUNBOOK, 'utf8'));

  beforeAll(async () => {
    cluster = new RedisCluster({ octet: 18, env: FAST_SCRIPT_ENV, replicas: { redis: 2, sentinel: 3 } });
    cluster.startAll();
    for (const node of cluster.redis) {
      await waitFor(`${node.name} to be ready`, async () => (await cluster.probe(node, 'readinessProbe')).code === 0, 60000);
    }
    await waitFor('the sentinels to agree', async () => (await inPod(cluster.sentinels[0], script, ['SENTINEL', 'ckquorum', cluster.masterName])).output.startsWith('OK'), 60000);
  });
  afterAll(async () => {
    await cluster?.dispose();
  });

  test('the pods speak TLS only, so the helper must add --tls --cacert to be answered', logged(async () => {
    expect(fs.existsSync(path.join(cluster.redis[0].mounts['/etc/redis/tls'], 'ca.crt'))).toBe(true);
    const plain = script.replace(/^\s*\[ -f [^\n]*\n/m, '');
    expect(plain).not.toBe(script);
    expect((await inPod(cluster.redis[0], plain, ['PING'])).output).not.toMatch(/^PONG/);
  }));

  test('as the monitor user: ROLE, INFO, SLOWLOG and LATENCY on Redis; CKQUORUM and get-master-addr on a Sentinel', logged(async () => {
    const [master, replica] = cluster.redis;
    expect((await inPod(master, script, ['ROLE'])).output.split('\n')[0]).toBe('master');
    expect((await inPod(replica, script, ['INFO', 'replication'])).output).toMatch(/master_link_status:up/);
    expect((await inPod(master, script, ['SLOWLOG', 'GET', '5'])).code).toBe(0);
    expect((await inPod(master, script, ['LATENCY', 'LATEST'])).output).not.toMatch(/NOPERM|ERR/);
    expect((await inPod(master, script, ['INFO', 'stats'])).output).toMatch(/keyspace_hits:\d+/);
    const sentinel = cluster.sentinels[0];
    expect((await inPod(sentinel, script, ['SENTINEL', 'ckquorum', cluster.masterName])).output).toMatch(/^OK \d+ usable Sentinels/);
    expect((await inPod(sentinel, script, ['SENTINEL', 'get-master-addr-by-name', cluster.masterName])).output.split('\n')[0]).toBe(master.ip);
  }));

  test('the monitor user cannot change anything: writes and CONFIG SET are refused', logged(async () => {
    const [master] = cluster.redis;
    expect((await inPod(master, script, ['SET', 'session:x', '1'])).output).toMatch(/NOPERM/);
    expect((await inPod(master, script, ['CONFIG', 'SET', 'maxmemory', '1'])).output).toMatch(/NOPERM/);
  }));
});
