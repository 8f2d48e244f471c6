/**
 * Runs the synthesized Infinispan StatefulSet as server processes on loopback: each pod is a directory
 * (its volumes), an environment (the container's env from the manifest) and the start script from the
 * ConfigMap, run with /bin/sh against the real server (scripts/infinispan/install.ts). What differs from a
 * pod comes in only through the variables the manifest sets: POD_NAME, POD_IP and BIND_ADDRESS (a loopback
 * address per pod), ISPN_HOME (a home per pod over the shared install, so server/data is the pod's own
 * volume), and JAVA_OPTIONS (the manifest's options plus a small heap and -Djdk.net.hosts.file, a hosts
 * file that answers the DNS_PING query with every pod's address, as the headless Service does).
 */
import * as fs from 'fs';
import * as http from 'http';
import * as https from 'https';
import * as os from 'os';
import * as path from 'path';
import { ensureInfinispan } from '../../../scripts/infinispan/install';
import { FULLNAME, K8sObject, configMapData, findObject } from '../manifests';
import { GroupProcess, killGroup, sleep, startInGroup } from '../redis/processes';
import { renderInfinispan } from '../../infinispan/values';
import { TestIssuer } from '../tls-issuer';

// eslint-disable-next-line @typescript-eslint/no-var-requires
const infinispan = require('infinispan');

export const CREDENTIALS = { username: 'agents', password: 'Sessi0ns-live-pw' } as const; // pragma: allowlist secret -- fixture credentials of a test-only server
/** The admin identity's Secret values, used when infinispan.auth.admin.enabled names their keys. */
export const ADMIN_CREDENTIALS = { username: 'ops', password: 'Adm1n-live-pw' } as const; // pragma: allowlist secret -- fixture credentials of a test-only server
/** Upper bound of one server's life: no JVM outlives a stuck test by more. */
const MAX_LIFETIME_SECONDS = 900;
const JVM_OPTIONS = '-Xmx256m -Xss512k -XX:TieredStopAtLevel=1 -XX:+UseSerialGC';

export interface Node {
  readonly index: number;
  readonly name: string;
  readonly ip: string;
  readonly root: string;
  readonly log: string;
  process?: GroupProcess;
}

export interface RestReply {
  status: number;
  body: string;
  /** The body's bytes (a backup archive). */
  raw: Buffer;
}

export class InfinispanCluster {
  readonly nodes: Node[];
  readonly objects: K8sObject[];
  /** The client contract ConfigMap apps load with envFrom. */
  readonly contract: Record<string, string>;
  private readonly configData: Record<string, string>;
  private readonly container: any;
  private readonly hostsFile: string;
  /** cert-manager's part when tls.enabled: the server Certificate's Secret, issued by a test CA. */
  readonly issuer?: TestIssuer;
  readonly caFile?: string;

  constructor(readonly root: string, values: object, size: number, subnet: number) {
    this.objects = renderInfinispan(values);
    this.configData = configMapData(this.objects, `${FULLNAME}-infinispan-config`);
    this.container = findObject(this.objects, 'StatefulSet', `${FULLNAME}-infinispan`).spec.template.spec.containers[0];
    const contractMap = this.objects.find((o) => o.kind === 'ConfigMap' && o.data?.INFINISPAN_HOST);
    if (!contractMap) throw new Error('no client contract ConfigMap with INFINISPAN_HOST in the rendered objects');
    this.contract = contractMap.data;
    this.nodes = Array.from({ length: size }, (_, i) => ({
      index: i,
      name: `${FULLNAME}-infinispan-${i}`,
      ip: `127.0.${subnet}.${i + 1}`,
      root: path.join(root, `pod-${i}`),
      log: path.join(root, `pod-${i}.log`),
    }));
    this.hostsFile = path.join(root, 'hosts');
    const pingQuery = this.env('JGROUPS_DNS_QUERY');
    fs.writeFileSync(this.hostsFile, this.nodes.map((n) => `${n.ip} ${pingQuery}\n`).join(''));
    if (this.tlsOn) {
      // Each pod's DNS name under the ping Service (the Certificate's wildcard) stands for its address.
      const hosts = new Map(this.nodes.map((n) => [`${n.name}.${pingQuery}`, n.ip] as [string, string]));
      this.issuer = new TestIssuer(this.objects, path.join(root, 'issuer'), hosts);
      this.caFile = path.join(root, 'issuer', 'ca.crt');
      fs.writeFileSync(this.caFile, this.issuer.ca.cert);
    }
  }

  get tlsOn(): boolean {
    return this.contract.INFINISPAN_TLS === 'true';
  }

  /** A value of the container's env in the manifest. */
  env(name: string): string {
    const e = this.container.env.find((x: any) => x.name === name);
    if (!e || e.value === undefined) throw new Error(`the Infinispan container sets no ${name}`);
    return e.value;
  }

  /** The pod's volumes as directories, the ConfigMap files with mount paths pointed at them, its env. */
  private prepare(node: Node): Record<string, string> {
    const home = path.join(node.root, 'home');
    const install = ensureInfinispan().home;
    const mounts = new Map<string, string>();
    for (const m of this.container.volumeMounts) {
      const dir = m.mountPath.startsWith(`${this.env('ISPN_HOME')}/`)
        ? path.join(home, m.mountPath.slice(this.env('ISPN_HOME').length + 1))
        : path.join(node.root, m.name);
      mounts.set(m.mountPath, dir);
      fs.mkdirSync(dir, { recursive: true });
    }
    for (const d of ['boot', 'lib', 'bin']) {
      const link = path.join(home, d);
      if (!fs.existsSync(link)) fs.symlinkSync(path.join(install, d), link);
    }
    fs.mkdirSync(path.join(home, 'server', 'conf'), { recursive: true });
    fs.copyFileSync(path.join(install, 'server', 'conf', 'log4j2.xml'), path.join(home, 'server', 'conf', 'log4j2.xml'));
    const longestFirst = [...mounts.entries()].sort((a, b) => b[0].length - a[0].length);
    // One pass, longest mount first: a replaced path (under /tmp itself) is never replaced again.
    const pattern = new RegExp(longestFirst.map(([from]) => from.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')).join('|'), 'g');
    const repoint = (text: string) => text.replace(pattern, (from) => mounts.get(from)!);
    const configDir = mounts.get(this.env('CONFIG_DIR'))!;
    for (const [file, text] of Object.entries(this.configData)) fs.writeFileSync(path.join(configDir, file), repoint(text));
    if (this.issuer) {
      const tlsVolume = findObject(this.objects, 'StatefulSet', `${FULLNAME}-infinispan`).spec.template.spec.volumes.find((v: any) => v.name === 'tls');
      const data = this.issuer.secretData(tlsVolume.secret.secretName);
      for (const [file, text] of Object.entries(data)) fs.writeFileSync(path.join(mounts.get(this.env('TLS_DIR'))!, file), text);
    }
    const secretsDir = mounts.get(this.env('SECRETS_DIR'))!;
    fs.writeFileSync(path.join(secretsDir, this.env('USERNAME_KEY')), CREDENTIALS.username);
    fs.writeFileSync(path.join(secretsDir, this.env('PASSWORD_KEY')), CREDENTIALS.password);
    if (this.container.env.some((e: any) => e.name === 'ADMIN_USERNAME_KEY')) {
      fs.writeFileSync(path.join(secretsDir, this.env('ADMIN_USERNAME_KEY')), ADMIN_CREDENTIALS.username);
      fs.writeFileSync(path.join(secretsDir, this.env('ADMIN_PASSWORD_KEY')), ADMIN_CREDENTIALS.password);
    }

    const env: Record<string, string> = { PATH: process.env.PATH!, JAVA_HOME: process.env.JAVA_HOME ?? '' };
    if (!env.JAVA_HOME) delete env.JAVA_HOME;
    for (const e of this.container.env) {
      if (e.valueFrom?.fieldRef?.fieldPath === 'metadata.name') env[e.name] = node.name;
      else if (e.valueFrom?.fieldRef?.fieldPath === 'status.podIP') env[e.name] = node.ip;
      else env[e.name] = mounts.get(e.value) ?? e.value;
    }
    env.ISPN_HOME = home;
    env.HOME = mounts.get(this.env('HOME')) ?? env.HOME;
    env.BIND_ADDRESS = node.ip;
    env.JAVA_OPTIONS = `${this.env('JAVA_OPTIONS')} ${JVM_OPTIONS} -Djdk.net.hosts.file=${this.hostsFile}`;
    return env;
  }

  /** Start the pod's container (the start script from the ConfigMap), as the kubelet would. */
  start(node: Node): void {
    if (node.process) throw new Error(`${node.name} is already running`);
    const env = this.prepare(node);
    const script = path.join(env.CONFIG_DIR, 'start.sh');
    const proc = startInGroup(['/bin/sh', script], { env, cwd: node.root, logFile: node.log, maxLifetimeSeconds: MAX_LIFETIME_SECONDS });
    node.process = proc;
    void proc.exited.then(() => {
      if (node.process === proc) node.process = undefined;
    });
  }

  startAll(): void {
    for (const n of this.nodes) this.start(n);
  }

  /** SIGTERM, as the kubelet stops a container, then wait until the server has left. */
  async stop(node: Node, timeoutMs = 60_000): Promise<void> {
    const proc = node.process;
    if (!proc) return;
    killGroup(proc.proc.pid!, 'SIGTERM');
    const timer = setTimeout(() => killGroup(proc.proc.pid!, 'SIGKILL'), timeoutMs);
    await proc.exited;
    clearTimeout(timer);
  }

  /** SIGKILL: the node is lost without leaving the cluster. */
  async kill(node: Node): Promise<void> {
    const proc = node.process;
    if (!proc) return;
    killGroup(proc.proc.pid!, 'SIGKILL');
    await proc.exited;
  }

  async stopAll(): Promise<void> {
    await Promise.all(this.nodes.map((n) => this.stop(n)));
  }

  async killAll(): Promise<void> {
    await Promise.all(this.nodes.map((n) => this.kill(n)));
  }

  /** The StatefulSet's spec (replicas, podManagementPolicy, the pod template) as synthesized. */
  get statefulSet(): any {
    return findObject(this.objects, 'StatefulSet', `${FULLNAME}-infinispan`).spec;
  }

  /** Ready as the kubelet judges it: the readiness probe's GET (no credentials) answers 200-399. */
  async ready(node: Node): Promise<boolean> {
    if (!node.process) return false;
    try {
      const status = (await this.request(node, 'GET', this.container.readinessProbe.httpGet.path, { auth: false })).status;
      return status >= 200 && status < 400;
    } catch {
      return false;
    }
  }

  /**
   * `kubectl scale --replicas=<n>` as the StatefulSet controller carries it out under the synthesized
   * podManagementPolicy. OrderedReady: pods stop from the highest ordinal down, each completely shut down
   * (SIGTERM, SIGKILL after terminationGracePeriodSeconds) before the next, and start from the lowest ordinal
   * up, each Ready before the next is created. Parallel: all at once.
   */
  async scale(replicas: number): Promise<void> {
    const spec = this.statefulSet;
    const graceMs = spec.template.spec.terminationGracePeriodSeconds * 1000;
    const ordered = (spec.podManagementPolicy ?? 'OrderedReady') === 'OrderedReady';
    const leaving = this.nodes.filter((n) => n.index >= replicas && n.process).reverse();
    const coming = this.nodes.filter((n) => n.index < replicas && !n.process);
    if (!ordered) {
      await Promise.all(leaving.map((n) => this.stop(n, graceMs)));
      for (const n of coming) this.start(n);
      return;
    }
    for (const n of leaving) await this.stop(n, graceMs);
    for (const n of coming) {
      this.start(n);
      await poll(`${n.name} Ready`, () => this.ready(n), 240_000, () => this.logTail(n));
    }
  }

  /** Sessions each member holds in memory (`?action=distribution`), by node name. */
  async distribution(node: Node): Promise<Record<string, number>> {
    const reply = await this.request(node, 'GET', `/rest/v2/caches/${this.contract.INFINISPAN_CACHE_NAME}?action=distribution`, {
      headers: { Accept: 'application/json' },
    });
    if (reply.status !== 200) throw new Error(`distribution: ${reply.status} ${reply.body}`);
    const perNode: { node_name: string; memory_entries: number }[] = JSON.parse(reply.body);
    return Object.fromEntries(perNode.map((n) => [n.node_name, n.memory_entries]));
  }

  logTail(node: Node, lines = 40): string {
    try {
      return fs.readFileSync(node.log, 'utf8').split('\n').slice(-lines).join('\n');
    } catch {
      return '(no log)';
    }
  }

  /** The cluster size each node reports on /metrics (no credentials, as Prometheus scrapes it). */
  async viewSize(node: Node): Promise<number> {
    const r = await this.request(node, 'GET', '/metrics', { auth: false });
    const m = /^vendor_cache_manager_default_cluster_size\{[^}]*\} ([0-9.]+)/m.exec(r.body);
    return m ? Number(m[1]) : 0;
  }

  /** Wait until every given (running) node sees a view of `size` members and its cache is healthy. */
  async waitForView(size: number, nodes: Node[] = this.nodes.filter((n) => n.process), timeoutMs = 240_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    for (const node of nodes) {
      let last = '';
      for (;;) {
        if (!node.process) throw new Error(`${node.name} exited while waiting for a view of ${size}:\n${this.logTail(node)}`);
        try {
          const health = await this.request(node, 'GET', '/rest/v2/container/health/status', { auth: false });
          const view = await this.viewSize(node);
          if (health.body === 'HEALTHY' && view === size) break;
          last = `health ${health.body}, view ${view}`;
        } catch (e) {
          last = (e as Error).message;
        }
        if (Date.now() > deadline) throw new Error(`${node.name} has no view of ${size} after ${timeoutMs} ms (last: ${last}):\n${this.logTail(node)}`);
        await sleep(500);
      }
    }
  }

  /** A REST call on the client port; DIGEST as the contract's identity unless auth says otherwise. */
  request(
    node: Node,
    method: string,
    urlPath: string,
    opts: { auth?: false | { username: string; password: string }; body?: string | Buffer; headers?: Record<string, string>; plaintext?: boolean } = {},
  ): Promise<RestReply> {
    const auth = opts.auth === undefined ? CREDENTIALS : opts.auth;
    const tls = opts.plaintext || !this.caFile ? undefined : { ca: fs.readFileSync(this.caFile, 'utf8') };
    return restRequest(node.ip, Number(this.contract.INFINISPAN_PORT), method, urlPath, auth || undefined, opts.body, opts.headers, tls);
  }

  /**
   * A Hot Rod client configured from the client contract: port, cache name, SASL mechanism and TLS flag
   * from the ConfigMap, credentials as the Secret holds them. INFINISPAN_HOST is the ClusterIP Service;
   * here the node's address stands in for it, as kube-proxy would pick one.
   */
  async hotrod(node: Node, credentials: { username: string; password: string } = CREDENTIALS, opts: { topologyAware?: boolean; plaintext?: boolean } = {}): Promise<any> {
    const c = this.contract;
    return infinispan.client(
      { host: node.ip, port: Number(c.INFINISPAN_PORT) },
      {
        cacheName: c.INFINISPAN_CACHE_NAME,
        // Off by default: a test talks to the node it names. On, the client sends each key to its owner.
        topologyUpdates: opts.topologyAware ?? false,
        authentication: { enabled: true, saslMechanism: c.INFINISPAN_SASL_MECHANISM, userName: credentials.username, password: credentials.password },
        ssl: c.INFINISPAN_TLS === 'true' && !opts.plaintext ? { enabled: true, trustCerts: [this.caFile] } : { enabled: false },
        dataFormat: { keyType: 'text/plain', valueType: 'text/plain' },
      },
    );
  }
}

/** Polls `fn` every 500 ms until it holds; fails after `timeoutMs` naming `what` (and `detail()`, e.g. a log tail). */
export async function poll(what: string, fn: () => Promise<boolean>, timeoutMs = 60_000, detail?: () => string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await fn())) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${detail ? `:\n${detail()}` : ''}`);
    await sleep(500);
  }
}

/** Plain HTTP with RFC 7616 DIGEST (MD5, qop=auth) when credentials are given: what `curl --digest` does. */
export async function restRequest(
  host: string,
  port: number,
  method: string,
  urlPath: string,
  auth?: { username: string; password: string },
  body?: string | Buffer,
  headers: Record<string, string> = {},
  tls?: { ca: string },
): Promise<RestReply> {
  const send = (extra: Record<string, string>) =>
    new Promise<RestReply & { challenge?: string }>((resolve, reject) => {
      const options = { host, port, method, path: urlPath, headers: { ...headers, ...extra }, timeout: 15_000 };
      const req = tls ? https.request({ ...options, ca: tls.ca }) : http.request(options);
      req.on('response', (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          const raw = Buffer.concat(chunks);
          resolve({ status: res.statusCode ?? 0, body: raw.toString('utf8'), raw, challenge: res.headers['www-authenticate'] as string | undefined });
        });
      });
      req.on('timeout', () => req.destroy(new Error(`${method} ${urlPath} timed out`)));
      req.on('error', reject);
      if (body !== undefined) req.write(body);
      req.end();
    });
  const first = await send({});
  if (first.status !== 401 || !auth || !first.challenge) return { status: first.status, body: first.body, raw: first.raw };
  return send({ Authorization: digestHeader(first.challenge, auth, method, urlPath) }).then((r) => ({ status: r.status, body: r.body, raw: r.raw }));
}

function digestHeader(challenge: string, auth: { username: string; password: string }, method: string, uri: string): string {
  // eslint-disable-next-line @typescript-eslint/no-var-requires
  const crypto = require('crypto') as typeof import('crypto');
  const params: Record<string, string> = {};
  for (const m of challenge.replace(/^Digest\s+/i, '').matchAll(/(\w+)=(?:"([^"]*)"|([^,\s]*))/g)) params[m[1]] = m[2] ?? m[3];
  const md5 = (s: string) => crypto.createHash('md5').update(s).digest('hex');
  const cnonce = crypto.randomBytes(8).toString('hex');
  const nc = '00000001';
  const ha1 = md5(`${auth.username}:${params.realm}:${auth.password}`);
  const ha2 = md5(`${method}:${uri}`);
  const response = md5(`${ha1}:${params.nonce}:${nc}:${cnonce}:auth:${ha2}`);
  return `Digest username="${auth.username}", realm="${params.realm}", nonce="${params.nonce}", uri="${uri}", qop=auth, nc=${nc}, cnonce="${cnonce}", response="${response}", algorithm=MD5${params.opaque ? `, opaque="${params.opaque}"` : ''}`;
}

/** A cluster in a fresh temp directory; call `startAll()` and `waitForView()`; `dispose()` in afterAll. */
export function infinispanCluster(values: object, opts: { size?: number; subnet: number }): InfinispanCluster & { dispose(): Promise<void> } {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'infinispan-live-'));
  const cluster = new InfinispanCluster(root, values, opts.size ?? 3, opts.subnet) as InfinispanCluster & { dispose(): Promise<void> };
  cluster.dispose = async () => {
    await cluster.killAll();
    if (!process.env.KEEP_INFINISPAN_LOGS) fs.rmSync(root, { recursive: true, force: true });
  };
  return cluster;
}
