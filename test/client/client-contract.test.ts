import { ChildProcess, execFileSync, spawn } from 'child_process';
import * as crypto from 'crypto';
import * as fs from 'fs';
import * as net from 'net';
import Redis, { RedisOptions } from 'ioredis';
import * as os from 'os';
import * as path from 'path';
import { describeWithBinaries } from '../support/binaries';
import { K8sObject, configMapData, findObject, loadDist, renderValues } from '../support/manifests';
import { TestIssuer } from '../support/tls-issuer';

const CLIENT_CONFIG_MAP = 'session-database-client';
const BASE = {
  namespace: { name: 'sessions' },
  auth: { existingSecret: 'session-auth' },
  networkPolicy: { clients: { podSelector: { 'session-database/client': 'true' } } },
};

function listening(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ host, port });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

describe('the client contract ConfigMap', () => {
  test('is always rendered, for standalone Redis with a redis:// URL to the sessions database', () => {
    const data = configMapData(loadDist('dev'), CLIENT_CONFIG_MAP);
    expect(data).toMatchSnapshot();
    expect(data.REDIS_URL).toBe('redis://app@session-database-redis.session-dev.svc.cluster.local:6379/0');
    expect(data.REDIS_CACHE_URL).toBe('redis://cache@session-database-redis.session-dev.svc.cluster.local:6379/1');
    expect(data).toMatchObject({ REDIS_HOST: 'session-database-redis.session-dev.svc.cluster.local', REDIS_PORT: '6379', REDIS_DB: '0' });
    expect(data).not.toHaveProperty('REDIS_SENTINELS');
    expect(data).not.toHaveProperty('INFINISPAN_HOST');
    expect(data.SESSION_PERSISTENCE_TYPE).toBe('redis');
  });

  test('names the sentinel Service and the master name in sentinel mode, and the master endpoint as REDIS_URL', () => {
    const data = configMapData(loadDist('production'), CLIENT_CONFIG_MAP);
    expect(data).toMatchObject({
      REDIS_MODE: 'sentinel',
      REDIS_SENTINELS: 'session-database-sentinel.session-store.svc.cluster.local:26379',
      REDIS_MASTER_NAME: 'mymaster',
      REDIS_SENTINEL_USERNAME: 'app',
      REDIS_SENTINEL_PASSWORD_KEY: 'app-password',
    });
    expect(data).toMatchObject({
      REDIS_URL: 'rediss://app@session-database-master.session-store.svc.cluster.local:6379/0',
      REDIS_CACHE_URL: 'rediss://cache@session-database-master.session-store.svc.cluster.local:6379/1',
      REDIS_HOST: 'session-database-master.session-store.svc.cluster.local',
      MAX_SESSIONS_PER_USER: '5',
      MAX_REFRESH_TOKENS_PER_USER: '3',
      REDIS_ENABLED: 'true',
      SESSION_PERSISTENCE_ENABLED: 'false',
      INFINISPAN_ENABLED: 'false',
    });
    // Without the master endpoint a plain client has no address that always reaches the master.
    const bare = configMapData(renderValues({ ...BASE, redis: { masterEndpoint: { enabled: false } } }), CLIENT_CONFIG_MAP);
    for (const key of ['REDIS_URL', 'REDIS_CACHE_URL', 'REDIS_HOST', 'REDIS_PORT']) expect(bare).not.toHaveProperty(key);
    expect(bare.REDIS_SENTINELS).toBeDefined();
  });

  test('the dotenv file of each environment holds the same keys and values, and empty password variables', () => {
    for (const env of ['dev', 'production']) {
      const data = configMapData(loadDist(env), CLIENT_CONFIG_MAP);
      const text = fs.readFileSync(path.join(__dirname, '../../dist', env, 'client.env.example'), 'utf8');
      const vars = Object.fromEntries(text.split('\n').filter((l) => /^[A-Z_]+=/.test(l)).map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1).replace(/^'(.*)'$/, '$1')]));
      const { REDIS_PASSWORD, REDIS_CACHE_PASSWORD, REDIS_SENTINEL_PASSWORD, ...rest } = vars;
      expect(rest).toEqual(data);
      expect(REDIS_PASSWORD).toBe('');
      expect(REDIS_CACHE_PASSWORD).toBe('');
      expect(REDIS_SENTINEL_PASSWORD).toBe(env === 'production' ? '' : undefined);
    }
  });

  test('points sessions at Infinispan when it is enabled', () => {
    const data = configMapData(
      renderValues({ ...BASE, infinispan: { enabled: true, cache: { name: 'agent-sessions' }, auth: { usernameKey: 'ispn-user', passwordKey: 'ispn-pass' } } }),
      CLIENT_CONFIG_MAP,
    );
    expect(data).toMatchObject({
      SESSION_PERSISTENCE_TYPE: 'infinispan',
      INFINISPAN_HOST: 'session-database-infinispan.sessions.svc.cluster.local',
      INFINISPAN_PORT: '11222',
      INFINISPAN_CACHE_NAME: 'agent-sessions',
      INFINISPAN_TLS: 'false',
      INFINISPAN_SASL_MECHANISM: 'SCRAM-SHA-512',
      INFINISPAN_USERNAME_KEY: 'ispn-user',
      INFINISPAN_PASSWORD_KEY: 'ispn-pass',
      CREDENTIALS_SECRET: 'session-auth',
    });
  });

  test('takes the key prefix, the database numbers and the Secret name from the values', () => {
    const data = configMapData(
      renderValues({ ...BASE, redis: { mode: 'standalone', replicas: 1, databases: { sessions: 3, cache: 5 } }, sessions: { keyPrefix: 'sess:' } }),
      CLIENT_CONFIG_MAP,
    );
    expect(data).toMatchObject({ REDIS_KEY_PREFIX: 'sess:', REDIS_SESSIONS_DB: '3', REDIS_CACHE_DB: '5', CREDENTIALS_SECRET: 'session-auth' });
    const ttls = configMapData(renderValues({ ...BASE, sessions: { ttlSeconds: 900, refreshTokenTtlSeconds: 86400 }, cache: { defaultTtlSeconds: 120 } }), CLIENT_CONFIG_MAP);
    expect(ttls).toMatchObject({ SESSION_TTL_SECONDS: '900', REFRESH_TOKEN_TTL_SECONDS: '86400', CACHE_DEFAULT_TTL_SECONDS: '120' });
    expect(data.REDIS_URL).toMatch(/:6379\/3$/);
  });

  test('holds no password, only where the passwords are', () => {
    for (const env of ['dev', 'production']) {
      const data = configMapData(loadDist(env), CLIENT_CONFIG_MAP);
      expect(Object.keys(data).filter((k) => /PASSWORD/.test(k)).every((k) => k.endsWith('_PASSWORD_KEY'))).toBe(true);
      expect([data.REDIS_PASSWORD_KEY, data.REDIS_CACHE_PASSWORD_KEY]).toEqual(['app-password', 'cache-password']);
    }
  });
});

/**
 * An application that knows ONLY the client ConfigMap and the Secret it names talks to a
 * real redis-server that runs the synthesized users.acl (rendered by the synthesized
 * common.sh). The Service is the one stand-in: its name and port in REDIS_URL lead to the
 * "pod" 127.0.50.1:16450, as cluster DNS and kube-proxy would lead them to the Redis pod (a
 * port of its own, because another test's redis-server may hold *:6379 on this machine).
 */
describeWithBinaries(['redis-server', 'sha256sum'], 'an ioredis client configured only from the contract', () => {
  const IP = '127.0.50.1';
  const POD_PORT = 16450;
  let objects: K8sObject[];
  let contract: Record<string, string>;
  let dir: string;
  let server: ChildProcess | undefined;
  const secret: Record<string, string> = {};
  const clients: Redis[] = [];
  const errors = new Map<Redis, string[]>();

  /** What an app's Deployment does: envFrom the ConfigMap, secretKeyRef for the passwords. */
  function appClient(user: 'sessions' | 'cache', overrides: Partial<{ password: string; keyPrefix: string | undefined }> = {}): Redis {
    const url = new URL(user === 'sessions' ? contract.REDIS_URL : contract.REDIS_CACHE_URL);
    const db = user === 'sessions' ? contract.REDIS_SESSIONS_DB : contract.REDIS_CACHE_DB;
    expect(url.username).toBe(user === 'sessions' ? contract.REDIS_USERNAME : contract.REDIS_CACHE_USERNAME);
    expect(url.pathname).toBe(`/${db}`);
    // The password from the Secret goes into the URL (ioredis prefers the URL's empty password to the option).
    url.password = encodeURIComponent(overrides.password ?? secret[user === 'sessions' ? contract.REDIS_PASSWORD_KEY : contract.REDIS_CACHE_PASSWORD_KEY]);
    expect(url.port).toBe('6379');
    url.hostname = IP; // Service stand-in (DNS + kube-proxy)
    url.port = String(POD_PORT);
    const client = new Redis(url.toString(), {
      keyPrefix: 'keyPrefix' in overrides ? overrides.keyPrefix : user === 'sessions' ? contract.REDIS_KEY_PREFIX : contract.REDIS_CACHE_KEY_PREFIX,
      tls: contract.REDIS_TLS === 'true' ? {} : undefined,
      lazyConnect: true,
      maxRetriesPerRequest: 1,
      retryStrategy: () => null,
      connectTimeout: 2000,
      // disconnect() arms a timer this long; keep it short so jest exits right after the tests.
      disconnectTimeout: 200,
    });
    client.on('error', (e: Error) => errors.set(client, [...(errors.get(client) ?? []), e.message]));
    clients.push(client);
    return client;
  }

  beforeAll(async () => {
    objects = loadDist('dev');
    contract = configMapData(objects, CLIENT_CONFIG_MAP);
    expect(contract.REDIS_MODE).toBe('standalone');
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'client-contract-'));
    const secretsDir = path.join(dir, 'secrets');
    fs.mkdirSync(secretsDir);
    const acl = configMapData(objects, 'session-database-redis-config')['users.acl'];
    for (const user of new Set([...acl.matchAll(/%PASSWORD:([a-z]+)%/g)].map((m) => m[1]))) {
      const password = `${user}-${crypto.randomBytes(12).toString('base64url')}`;
      fs.writeFileSync(path.join(secretsDir, `${user}-password`), password);
      secret[`${user}-password`] = password;
    }
    fs.writeFileSync(path.join(dir, 'users.acl.template'), acl);
    // The scripts volume as the pod has it (common.sh sources its siblings).
    for (const [file, text] of Object.entries(configMapData(objects, 'session-database-redis-scripts'))) fs.writeFileSync(path.join(dir, file), text);
    execFileSync('sh', ['-c', '. ./common.sh && render_acl users.acl.template > users.acl'], { cwd: dir, env: { PATH: process.env.PATH!, SECRETS_DIR: secretsDir }, timeout: 10_000 });
    const port = String(POD_PORT);
    if (await listening(IP, Number(port))) throw new Error(`${IP}:${port} is already taken (a leftover redis-server?); this test needs it free`);
    server = spawn('timeout', ['-s', 'KILL', '120', 'redis-server', '--bind', IP, '--port', port, '--aclfile', path.join(dir, 'users.acl'),
      '--save', '', '--appendonly', 'no', '--dir', dir, '--databases', '16'], { stdio: 'ignore', detached: true });
    for (let i = 0; !(await listening(IP, Number(port))); i++) {
      if (i > 50) throw new Error('redis-server did not start');
      await new Promise((r) => setTimeout(r, 100));
    }
  });

  afterAll(() => {
    for (const c of clients) c.disconnect();
    if (server?.pid) {
      try {
        process.kill(-server.pid, 'SIGKILL');
      } catch {
        /* already gone */
      }
    }
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });

  test('stores and reads a session under the contract prefix in the sessions database', async () => {
    const app = appClient('sessions');
    await app.connect();
    const ttl = Number(contract.SESSION_TTL_SECONDS);
    expect(ttl).toBe(3600);
    expect(await app.set('abc123', '{"user":"u1"}', 'EX', ttl)).toBe('OK');
    expect(await app.get('abc123')).toBe('{"user":"u1"}');
    const raw = appClient('sessions', { keyPrefix: undefined });
    await raw.connect();
    expect(await raw.get(`${contract.REDIS_KEY_PREFIX}abc123`)).toBe('{"user":"u1"}');
    // The session expires when the configured lifetime says (cleanup relies on TTLs being set).
    expect(await raw.ttl(`${contract.REDIS_KEY_PREFIX}abc123`)).toBeGreaterThan(ttl - 5);
    expect(await raw.call('CLIENT', 'INFO')).toMatch(new RegExp(`db=${contract.REDIS_SESSIONS_DB} .*user=${contract.REDIS_USERNAME} `));
  });

  test('is refused outside the prefix the contract names', async () => {
    const raw = appClient('sessions', { keyPrefix: undefined });
    await raw.connect();
    await expect(raw.set('not-a-session:1', 'x')).rejects.toThrow(/NOPERM/);
  });

  test('uses the cache user, prefix and database for the service cache', async () => {
    const cache = appClient('cache');
    await cache.connect();
    expect(await cache.set('svc:item', 'v', 'EX', 60)).toBe('OK');
    expect(await cache.get('svc:item')).toBe('v');
    const raw = appClient('cache', { keyPrefix: undefined });
    await raw.connect();
    expect(await raw.call('CLIENT', 'INFO')).toMatch(new RegExp(`db=${contract.REDIS_CACHE_DB} `));
    const app = appClient('sessions', { keyPrefix: undefined });
    await app.connect();
    await expect(app.get(`${contract.REDIS_CACHE_KEY_PREFIX}svc:item`)).rejects.toThrow(/NOPERM/);
  });

  test('cannot log in with a wrong password', async () => {
    const wrong = appClient('sessions', { password: 'not-the-password' });
    await expect(wrong.connect()).rejects.toThrow();
    expect(errors.get(wrong)?.join('\n')).toMatch(/WRONGPASS/);
  });
});

/**
 * Sentinel mode (dist/production): a master running the synthesized users.acl and one
 * sentinel running the synthesized sentinel-users.acl, on 127.0.50.11 and 127.0.50.21.
 * The app finds the master only through REDIS_SENTINELS / REDIS_MASTER_NAME and logs in to
 * the sentinel as REDIS_SENTINEL_USERNAME. Stand-ins: the sentinel Service name leads to
 * the sentinel pod (DNS + kube-proxy), and the sentinel monitors the master by its loopback
 * address instead of its pod DNS name (the start scripts' job, tested with the harness).
 * When the contract says REDIS_TLS (production has tls.enabled), both servers run the TLS
 * lines of the synthesized tls.sh with certificates of the manifests' Certificates from a
 * test CA, and the app trusts only the CA of the Secret the contract names.
 */
describeWithBinaries(['redis-server', 'redis-sentinel', 'sha256sum', 'openssl'], 'an ioredis client finding the master through the contract\'s sentinels', () => {
  const MASTER = { ip: '127.0.50.11', port: 16451 };
  const SENTINEL = { ip: '127.0.50.21', port: 26451 };
  let contract: Record<string, string>;
  let dir: string;
  const procs: ChildProcess[] = [];
  const secret: Record<string, string> = {};
  const clients: Redis[] = [];
  /** What the app's TLS settings are, from the contract alone (REDIS_TLS, the CA Secret and key). */
  let appTls: Partial<RedisOptions> = {};

  function spawnGroup(cmd: string, args: string[]) {
    const p = spawn('timeout', ['-s', 'KILL', '120', cmd, ...args], { stdio: 'ignore', detached: true });
    procs.push(p);
  }

  async function waitListening(ip: string, port: number) {
    for (let i = 0; !(await listening(ip, port)); i++) {
      if (i > 50) throw new Error(`nothing listens on ${ip}:${port}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  }

  beforeAll(async () => {
    const objects = loadDist('production');
    contract = configMapData(objects, CLIENT_CONFIG_MAP);
    expect(contract.REDIS_MODE).toBe('sentinel');
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'client-contract-sentinel-'));
    const secretsDir = path.join(dir, 'secrets');
    fs.mkdirSync(secretsDir);
    const config = configMapData(objects, 'session-database-redis-config');
    for (const user of new Set([...(config['users.acl'] + config['sentinel-users.acl']).matchAll(/%PASSWORD:([a-z]+)%/g)].map((m) => m[1]))) {
      const password = `${user}-${crypto.randomBytes(12).toString('base64url')}`;
      fs.writeFileSync(path.join(secretsDir, `${user}-password`), password);
      secret[`${user}-password`] = password;
    }
    fs.writeFileSync(path.join(dir, 'users.acl.template'), config['users.acl']);
    fs.writeFileSync(path.join(dir, 'sentinel-users.acl.template'), config['sentinel-users.acl']);
    for (const [file, text] of Object.entries(configMapData(objects, 'session-database-redis-scripts'))) fs.writeFileSync(path.join(dir, file), text);
    execFileSync('sh', ['-c', '. ./common.sh && render_acl users.acl.template > users.acl && render_acl sentinel-users.acl.template > sentinel-users.acl'], {
      cwd: dir, env: { PATH: process.env.PATH!, SECRETS_DIR: secretsDir }, timeout: 10_000,
    });
    for (const { ip, port } of [MASTER, SENTINEL]) {
      if (await listening(ip, port)) throw new Error(`${ip}:${port} is already taken; this test needs it free`);
    }
    // Transport lines as the start scripts write them (tls.sh's tls_server_config, empty without TLS).
    const tlsOn = contract.REDIS_TLS === 'true';
    const transport: Record<'redis' | 'sentinel', string[]> = { redis: [`port ${MASTER.port}`], sentinel: [`port ${SENTINEL.port}`] };
    if (tlsOn) {
      // Stand-ins of cluster DNS in the SANs: pod 0's name and the sentinel Service lead to the loopback "pods".
      const announce = (role: string) => String(findObject(objects, 'StatefulSet', `session-database-${role}`).spec.template.spec.containers[0].env.find((e: any) => e.name === 'ANNOUNCE_HOST').value).replace('$(POD_NAME)', `session-database-${role}-0`);
      const issuer = new TestIssuer(objects, path.join(dir, 'cert-manager'), new Map([
        [announce('redis'), MASTER.ip], [announce('sentinel'), SENTINEL.ip], [contract.REDIS_SENTINELS.split(',')[0].split(':')[0], SENTINEL.ip],
      ]));
      for (const [role, { port }] of [['redis', MASTER], ['sentinel', SENTINEL]] as const) {
        const tlsDir = path.join(dir, `${role}-tls`);
        fs.mkdirSync(tlsDir);
        for (const [k, v] of Object.entries(issuer.secretData(`session-database-${role}-tls`))) fs.writeFileSync(path.join(tlsDir, k), v, { mode: 0o400 });
        transport[role] = execFileSync('sh', ['-c', `. ./tls.sh && tls_server_config ${port}`], { cwd: dir, env: { PATH: process.env.PATH!, TLS_ENABLED: 'true', TLS_DIR: tlsDir }, timeout: 10_000, encoding: 'utf8' }).trim().split('\n');
        expect(transport[role]).toContain('port 0');
      }
      // The app mounts only the Secret the contract names and trusts the CA in it.
      const ca = issuer.secretData(contract.REDIS_TLS_CA_SECRET)[contract.REDIS_TLS_CA_KEY as 'ca.crt'];
      expect(ca).toMatch(/BEGIN CERTIFICATE/);
      appTls = { tls: { ca }, sentinelTLS: { ca }, enableTLSForSentinelMode: true };
    }
    fs.writeFileSync(path.join(dir, 'redis-transport.conf'), `${transport.redis.join('\n')}\n`);
    spawnGroup('redis-server', [path.join(dir, 'redis-transport.conf'), '--bind', MASTER.ip, '--aclfile', path.join(dir, 'users.acl'), '--save', '', '--appendonly', 'no', '--dir', dir]);
    await waitListening(MASTER.ip, MASTER.port);
    fs.writeFileSync(path.join(dir, 'sentinel.conf'), [
      `bind ${SENTINEL.ip}`,
      ...transport.sentinel,
      `dir ${dir}`,
      `aclfile ${path.join(dir, 'sentinel-users.acl')}`,
      `sentinel monitor ${contract.REDIS_MASTER_NAME} ${MASTER.ip} ${MASTER.port} 1`,
      `sentinel auth-user ${contract.REDIS_MASTER_NAME} sentinel`,
      `sentinel auth-pass ${contract.REDIS_MASTER_NAME} ${secret['sentinel-password']}`,
      '',
    ].join('\n'));
    spawnGroup('redis-sentinel', [path.join(dir, 'sentinel.conf')]);
    await waitListening(SENTINEL.ip, SENTINEL.port);
  });

  afterAll(() => {
    for (const c of clients) c.disconnect();
    for (const p of procs) {
      try {
        process.kill(-p.pid!, 'SIGKILL');
      } catch {
        /* already gone */
      }
    }
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });

  test('stores a session on the master the sentinel names, logged in everywhere as the contract says', async () => {
    const sentinels = contract.REDIS_SENTINELS.split(',').map((hostPort) => {
      const [host, port] = hostPort.split(':');
      expect([host, port]).toEqual(['session-database-sentinel.session-store.svc.cluster.local', '26379']);
      return { host: SENTINEL.ip, port: SENTINEL.port }; // Service stand-in
    });
    const app = new Redis({
      sentinels,
      name: contract.REDIS_MASTER_NAME,
      sentinelUsername: contract.REDIS_SENTINEL_USERNAME,
      sentinelPassword: secret[contract.REDIS_SENTINEL_PASSWORD_KEY],
      updateSentinels: false,
      username: contract.REDIS_USERNAME,
      password: secret[contract.REDIS_PASSWORD_KEY],
      db: Number(contract.REDIS_SESSIONS_DB),
      keyPrefix: contract.REDIS_KEY_PREFIX,
      lazyConnect: true,
      maxRetriesPerRequest: 1,
      sentinelRetryStrategy: () => null,
      ...appTls,
    });
    app.on('error', () => undefined);
    clients.push(app);
    await app.connect();
    expect(await app.set('s1', 'v1', 'EX', 60)).toBe('OK');
    expect(await app.get('s1')).toBe('v1');
    expect(await app.call('CLIENT', 'INFO')).toMatch(new RegExp(`laddr=${MASTER.ip.replace(/\./g, '\\.')}:${MASTER.port} .*user=${contract.REDIS_USERNAME} `));
  });

  test('is refused by the sentinel with a wrong sentinel password', async () => {
    const wrong = new Redis({
      sentinels: [{ host: SENTINEL.ip, port: SENTINEL.port }],
      name: contract.REDIS_MASTER_NAME,
      sentinelUsername: contract.REDIS_SENTINEL_USERNAME,
      sentinelPassword: 'wrong', // pragma: allowlist secret -- a wrong password on purpose
      lazyConnect: true,
      sentinelRetryStrategy: () => null,
      ...appTls,
    });
    const seen: string[] = [];
    wrong.on('error', (e: Error) => seen.push(e.message));
    clients.push(wrong);
    await expect(wrong.connect()).rejects.toThrow();
    expect(seen.join('\n')).toMatch(/Last error: WRONGPASS/);
  });
});
