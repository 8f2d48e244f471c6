/**
 * A running Redis topology of the SYNTHESIZED manifests: every pod of the Redis and Sentinel StatefulSets
 * simulated by ./pods.ts and run as a real process (./processes.ts) on its loopback address. Use a
 * different octet (10..19, 31..39) per test file so jest workers never meet.
 *
 * Lifecycle as the kubelet does it (start, stop with SIGTERM or SIGKILL, preStop, probes, terminate) and the
 * queries tests ask of a running topology (redis-cli as an ACL user, roles, INFO, what each sentinel thinks,
 * waitSettled), plus ioredis clients (Sentinel-aware or direct).
 *
 * TLS mode: when a pod mounts a Secret that a cert-manager Certificate of the manifests fills (the `tls`
 * volume when tls.enabled), a CA made with openssl in the test (TestIssuer, test/support/tls-issuer.ts)
 * issues that Certificate into the volume dir as cert-manager lays out the Secret (tls.crt, tls.key,
 * ca.crt); the pod's DNS names map to its loopback address in the SANs. When the Redis container has
 * TLS_ENABLED=true, cli() and the ioredis clients speak TLS and trust that CA.
 *
 * Every process runs under `timeout -s KILL <maxLifetimeSeconds>` in its own process group; dispose()
 * (call it in afterAll) kills every group, pass or fail, and an exit hook does the same if the worker dies first.
 */
import * as fs from 'fs';
import Redis, { RedisOptions } from 'ioredis';
import * as os from 'os';
import * as path from 'path';
import { ACL_USERS, AclUser } from '../../../src/components/redis/contract';
import { passwordFile } from '../../../src/components/secrets/keys';
import { FULLNAME, K8sObject, configMapData, findObject, loadDist } from '../manifests';
import { TestIssuer } from '../tls-issuer';
import { fixturePasswords } from './fixtures';
import { Pod, PodKind, dnsNamesOf, localCommand, makePod, podAddress } from './pods';
import { RunResult, killGroup, run, startInGroup, waitFor, within } from './processes';

export interface ClusterOptions {
  /** Third octet of the loopback addresses (10..19 or 31..39), one per test file. */
  octet: number;
  /** Manifests to run; default dist/production. */
  objects?: K8sObject[];
  fullname?: string;
  /** Extra environment (tuning knobs the scripts read, e.g. POLL_SECONDS). */
  env?: Record<string, string>;
  /** Contents of Secret volumes by secret name; default: every Secret gets the password files. */
  secrets?: Record<string, Record<string, string>>;
  passwords?: Record<string, string>;
  /** Upper bound of every process's life. */
  maxLifetimeSeconds?: number;
  /** Number of pods per StatefulSet (default: spec.replicas). */
  replicas?: Partial<Record<PodKind, number>>;
  /** redis-cli arguments of every cli()/ask() call, in place of the default (TLS mode: --tls --cacert <test CA>; else none). */
  cliArgs?: string[];
  /** ioredis options of every client()/direct(), in place of the default (TLS mode: tls and sentinelTLS with the test CA; else none). */
  clientOptions?: RedisOptions;
}


export class RedisCluster {
  readonly root: string;
  readonly objects: K8sObject[];
  readonly fullname: string;
  readonly passwords: Record<AclUser, string>;
  readonly redis: Pod[] = [];
  readonly sentinels: Pod[] = [];
  readonly config: Record<string, string>;
  readonly scripts: Record<string, string>;
  /** Processes started with startProcess (not part of the topology). */
  readonly extras: Pod[] = [];
  private readonly clients = new Set<Redis>();
  private readonly opts: ClusterOptions;
  private readonly maxLifetime: number;
  /** DNS name of a pod (or a pattern's expansion) → the loopback address standing for it. */
  readonly hosts = new Map<string, string>();
  private issuer?: TestIssuer;
  /** redis-cli arguments of every cli() call (TLS options in TLS mode). */
  readonly cliArgs: string[];
  /** ioredis options of every client()/direct() (TLS options in TLS mode). */
  readonly clientOptions: RedisOptions;

  constructor(opts: ClusterOptions) {
    if (!((opts.octet >= 10 && opts.octet <= 19) || (opts.octet >= 31 && opts.octet <= 39))) {
      throw new Error(`octet ${opts.octet}: live cluster tests use 127.0.10.x … 127.0.19.x and 127.0.31.x … 127.0.39.x (20-29 are the maintenance lab's, 30 the monitoring tests')`);
    }
    this.opts = opts;
    this.objects = opts.objects ?? loadDist('production');
    this.fullname = opts.fullname ?? FULLNAME;
    this.passwords = (opts.passwords as Record<AclUser, string>) ?? fixturePasswords();
    this.maxLifetime = opts.maxLifetimeSeconds ?? 300;
    this.config = configMapData(this.objects, `${this.fullname}-redis-config`);
    this.scripts = configMapData(this.objects, `${this.fullname}-redis-scripts`);
    this.root = fs.mkdtempSync(path.join(os.tmpdir(), `redis-live-${opts.octet}-`));
    const redisSts = findObject(this.objects, 'StatefulSet', `${this.fullname}-redis`);
    const sentinelSts = this.objects.find((o) => o.kind === 'StatefulSet' && o.metadata.name === `${this.fullname}-sentinel`);
    for (const [sts, ip] of [[redisSts, (i: number) => this.redisIp(i)], [sentinelSts, (i: number) => this.sentinelIp(i)]] as const) {
      if (sts) for (let i = 0; i < 10; i++) for (const host of dnsNamesOf(sts, i)) this.hosts.set(host, ip(i));
    }
    const n = opts.replicas?.redis ?? redisSts.spec.replicas ?? 1;
    for (let i = 0; i < n; i++) this.redis.push(this.makePod('redis', redisSts, i));
    if (sentinelSts) {
      const m = opts.replicas?.sentinel ?? sentinelSts.spec.replicas ?? 1;
      for (let i = 0; i < m; i++) this.sentinels.push(this.makePod('sentinel', sentinelSts, i));
    }
    const tls = this.tlsEnabled;
    if (tls && !this.issuer) throw new Error('TLS_ENABLED=true but no pod mounts a Secret of a cert-manager Certificate');
    const ca = this.issuer?.ca;
    this.cliArgs = opts.cliArgs ?? (tls ? ['--tls', '--cacert', ca!.certFile] : []);
    this.clientOptions = opts.clientOptions ?? (tls ? { tls: { ca: ca!.cert }, sentinelTLS: { ca: ca!.cert }, enableTLSForSentinelMode: true } : {});
  }

  /** Whether the manifests run Redis TLS-only (TLS_ENABLED=true in the Redis container). */
  get tlsEnabled(): boolean {
    return this.redis[0]?.env.TLS_ENABLED === 'true';
  }

  /** The test CA standing in for cert-manager (TLS mode only). */
  get tls(): TestIssuer | undefined {
    return this.issuer;
  }

  private tlsIssuer(): TestIssuer {
    this.issuer ??= new TestIssuer(this.objects, path.join(this.root, 'cert-manager'), this.hosts);
    return this.issuer;
  }

  get octet() {
    return this.opts.octet;
  }
  get pods(): Pod[] {
    return [...this.redis, ...this.sentinels];
  }
  /** Value of an env var as the manifest sets it for Redis pods (after fixture substitution). */
  envOf(name: string): string {
    return this.redis[0].env[name];
  }
  get masterName(): string {
    return this.envOf('MASTER_NAME');
  }

  redisIp(i: number) {
    return podAddress(this.opts.octet, 'redis', i);
  }
  sentinelIp(i: number) {
    return podAddress(this.opts.octet, 'sentinel', i);
  }

  /**
   * Start an auxiliary process (e.g. a stock redis-server to compare with) under the
   * same time bound and cleanup as the pods; it is not part of the topology.
   */
  startProcess(name: string, ip: string, port: number, command: string[]): Pod {
    const root = path.join(this.root, name);
    fs.mkdirSync(root, { recursive: true });
    const pod: Pod = { kind: 'redis', ordinal: -1, name, ip, port, root, volumes: { tmp: root }, mounts: {}, env: { HOME: root }, container: { command }, terminationGraceSeconds: 10, logFile: path.join(root, 'container.log') };
    this.extras.push(pod);
    this.start(pod);
    return pod;
  }

  /** Add one more pod of a StatefulSet (e.g. a 4th Redis node when scaling). */
  addPod(kind: PodKind): Pod {
    const sts = findObject(this.objects, 'StatefulSet', `${this.fullname}-${kind}`);
    const list = kind === 'redis' ? this.redis : this.sentinels;
    const pod = this.makePod(kind, sts, list.length);
    list.push(pod);
    return pod;
  }

  private makePod(kind: PodKind, sts: K8sObject, ordinal: number): Pod {
    return makePod(kind, sts, ordinal, { objects: this.objects, root: this.root, octet: this.opts.octet, secretData: (name) => this.secretData(name) });
  }

  /**
   * What a Secret volume holds: the caller's data for that Secret, else a Certificate's files from the
   * test CA when cert-manager would fill it, else the fixture passwords of every ACL user.
   */
  secretData(secretName: string): Record<string, string> {
    const given = this.opts.secrets?.[secretName];
    if (given) return given;
    if (this.objects.some((o) => o.kind === 'Certificate' && o.spec?.secretName === secretName)) return this.tlsIssuer().secretData(secretName);
    return Object.fromEntries(ACL_USERS.map((u) => [passwordFile(u), this.passwords[u]]));
  }

  /** The process environment of a pod: the container's env plus PATH and the tuning knobs. */
  processEnv(pod: Pod): Record<string, string> {
    return { PATH: process.env.PATH ?? '/usr/bin:/bin', LANG: 'C', ...pod.env, ...(this.opts.env ?? {}) };
  }

  /** A command of the manifest (container command, probe, preStop) with mount paths pointing into the pod dir. */
  localCommand(pod: Pod, command: string[]): string[] {
    return localCommand(pod, command);
  }

  running(pod: Pod): boolean {
    return !!pod.proc && pod.proc.exitCode === null && pod.proc.signalCode === null;
  }

  /** Start the container command (as the kubelet would), in its own process group, time-bounded. */
  start(pod: Pod): void {
    if (this.running(pod)) throw new Error(`${pod.name} is already running`);
    const cmd = this.localCommand(pod, [...(pod.container.command ?? []), ...(pod.container.args ?? [])]);
    const { proc, exited } = startInGroup(cmd, { env: this.processEnv(pod), cwd: pod.root, logFile: pod.logFile, maxLifetimeSeconds: this.maxLifetime });
    pod.proc = proc;
    pod.exited = exited;
  }

  /** Signal the container (SIGTERM = graceful like the kubelet, SIGKILL = crash) and wait for it to exit. */
  async stop(pod: Pod, signal: NodeJS.Signals = 'SIGTERM', timeoutMs?: number): Promise<void> {
    if (!pod.proc || !this.running(pod)) return;
    killGroup(pod.proc.pid!, signal);
    const limit = timeoutMs ?? pod.terminationGraceSeconds * 1000;
    const done = await within(pod.exited!, limit);
    if (!done) {
      killGroup(pod.proc.pid!, 'SIGKILL');
      await pod.exited;
    }
  }

  kill(pod: Pod): Promise<void> {
    return this.stop(pod, 'SIGKILL');
  }

  async restart(pod: Pod): Promise<void> {
    await this.stop(pod);
    this.start(pod);
  }

  /** Run the container's preStop hook, bounded by the grace period, as the kubelet does before SIGTERM. */
  async preStop(pod: Pod): Promise<RunResult> {
    const hook = pod.container.lifecycle?.preStop?.exec?.command;
    if (!hook) throw new Error(`${pod.name} has no preStop exec hook`);
    const [file, ...args] = this.localCommand(pod, hook);
    return run(file, args, { env: this.processEnv(pod), timeoutMs: pod.terminationGraceSeconds * 1000, cwd: pod.root });
  }

  /**
   * Run one of the container's exec probes, killed at its timeoutSeconds as the kubelet would (code null then).
   * asShipped: only the container's own environment, without the test's shortened timing knobs.
   */
  async probe(pod: Pod, which: 'livenessProbe' | 'readinessProbe' | 'startupProbe', opts: { asShipped?: boolean } = {}): Promise<RunResult> {
    const probe = pod.container[which];
    if (!probe?.exec?.command) throw new Error(`${pod.name} has no exec ${which}`);
    const [file, ...args] = this.localCommand(pod, probe.exec.command);
    const env = opts.asShipped ? { PATH: process.env.PATH ?? '/usr/bin:/bin', LANG: 'C', ...pod.env } : this.processEnv(pod);
    return run(file, args, { env, timeoutMs: (probe.timeoutSeconds ?? 1) * 1000, cwd: pod.root });
  }

  /** Graceful pod termination: preStop, then SIGTERM, bounded by the grace period. */
  async terminate(pod: Pod): Promise<RunResult | undefined> {
    const result = pod.container.lifecycle?.preStop ? await this.preStop(pod) : undefined;
    await this.stop(pod, 'SIGTERM');
    return result;
  }

  /** redis-cli against a pod as an ACL user (null = no AUTH); the password travels in the environment. */
  cli(pod: Pod, user: AclUser | 'default' | null, args: string[], opts: { timeoutMs?: number; password?: string; raw?: boolean; cliArgs?: string[] } = {}): Promise<RunResult> {
    const env: Record<string, string> = { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: pod.volumes.tmp ?? this.root };
    const base = ['--no-auth-warning', ...(opts.cliArgs ?? this.cliArgs), '-h', pod.ip, '-p', String(pod.port)];
    if (user !== null) {
      base.push('--user', user);
      env.REDISCLI_AUTH = opts.password ?? (user === 'default' ? 'x' : this.passwords[user]);
    }
    return run('redis-cli', [...base, ...args], { env, timeoutMs: opts.timeoutMs ?? 5000 });
  }

  /** Output of a redis-cli call that must succeed (exit 0, no error reply). */
  async ask(pod: Pod, user: AclUser, ...args: string[]): Promise<string> {
    const r = await this.cli(pod, user, args);
    const out = r.stdout.trim();
    if (r.code !== 0 || /^(ERR|NOPERM|WRONGPASS|NOAUTH|READONLY|NOREPLICAS|LOADING)/m.test(out)) {
      throw new Error(`${pod.name}: ${user} ${args.join(' ')} → code ${r.code}: ${out} ${r.stderr.trim()}`);
    }
    return out;
  }

  async role(pod: Pod): Promise<string | undefined> {
    const r = await this.cli(pod, 'sentinel', ['ROLE'], { timeoutMs: 2000 });
    return r.code === 0 ? r.stdout.split('\n')[0].trim() || undefined : undefined;
  }

  async info(pod: Pod, section = 'replication'): Promise<Record<string, string>> {
    const out = await this.ask(pod, pod.kind === 'sentinel' ? 'sentinel' : 'monitor', 'INFO', section);
    return Object.fromEntries(
      out
        .split(/\r?\n/)
        .filter((l) => l.includes(':') && !l.startsWith('#'))
        .map((l) => [l.slice(0, l.indexOf(':')), l.slice(l.indexOf(':') + 1)]),
    );
  }

  /** Master address each running sentinel reports (undefined when it does not answer). */
  async sentinelMasters(): Promise<(string | undefined)[]> {
    return Promise.all(
      this.sentinels.map(async (s) => {
        const r = await this.cli(s, 'sentinel', ['SENTINEL', 'get-master-addr-by-name', this.masterName], { timeoutMs: 2000 });
        const lines = r.stdout.trim().split('\n');
        return r.code === 0 && lines.length >= 2 && !/ERR|NOAUTH/.test(r.stdout) ? lines[0] : undefined;
      }),
    );
  }

  /** What one sentinel thinks of the monitored master. */
  async sentinelView(s: Pod): Promise<{ ip: string; flags: string; okReplicas: number; otherSentinels: number } | undefined> {
    const r = await this.cli(s, 'sentinel', ['SENTINEL', 'master', this.masterName], { timeoutMs: 2000 });
    if (r.code !== 0 || /^(ERR|NOAUTH|WRONGPASS)/.test(r.stdout)) return undefined;
    const f = r.stdout.trim().split('\n');
    const get = (k: string) => f[f.indexOf(k) + 1];
    const replicas = await this.cli(s, 'sentinel', ['--csv', 'SENTINEL', 'replicas', this.masterName], { timeoutMs: 2000 });
    const okReplicas = (replicas.stdout.match(/"flags","slave"/g) ?? []).length;
    return { ip: get('ip'), flags: get('flags'), okReplicas, otherSentinels: Number(get('num-other-sentinels')) };
  }

  podByIp(ip: string): Pod | undefined {
    return this.pods.find((p) => p.ip === ip);
  }

  /** The Redis pods that report role master. */
  async masters(): Promise<Pod[]> {
    const roles = await Promise.all(this.redis.map((p) => (this.running(p) ? this.role(p) : undefined)));
    return this.redis.filter((_, i) => roles[i] === 'master');
  }

  /**
   * Wait until the topology is settled: every running Redis answers, exactly one is
   * master, every running replica has an up link to it with the sync done, and every
   * running sentinel names that master. Returns the master.
   */
  async waitSettled(timeoutMs = 30000, what = 'a settled topology'): Promise<Pod> {
    return waitFor(
      what,
      async () => {
        const running = this.redis.filter((p) => this.running(p));
        const infos = await Promise.all(running.map((p) => this.info(p).catch(() => undefined)));
        if (infos.some((i) => !i)) return undefined;
        const masters = running.filter((_, k) => infos[k]!.role === 'master');
        if (masters.length !== 1) return undefined;
        const master = masters[0];
        for (let k = 0; k < running.length; k++) {
          const i = infos[k]!;
          if (running[k] === master) continue;
          if (i.master_host !== master.ip || i.master_link_status !== 'up' || i.master_sync_in_progress !== '0') return undefined;
        }
        if (Number(infos[running.indexOf(master)]!.connected_slaves) !== running.length - 1) return undefined;
        // Every running sentinel names that master and knows the running replicas and sentinels.
        const sentinels = this.sentinels.filter((s) => this.running(s));
        for (const s of sentinels) {
          const view = await this.sentinelView(s);
          if (!view || view.ip !== master.ip || view.flags !== 'master') return undefined;
          if (view.okReplicas < running.length - 1 || view.otherSentinels < sentinels.length - 1) return undefined;
        }
        return master;
      },
      timeoutMs,
      200,
    );
  }

  /** Start every pod (Redis nodes, then sentinels, unless an order is given). */
  startAll(order: Pod[] = [...this.redis, ...this.sentinels]): void {
    for (const p of order) this.start(p);
  }

  async stopAll(signal: NodeJS.Signals = 'SIGTERM'): Promise<void> {
    await Promise.all(this.pods.map((p) => this.stop(p, signal)));
  }

  /** A Sentinel-aware ioredis client, authenticated as an ACL user on Redis and on the sentinels. */
  client(user: AclUser = 'app', options: RedisOptions = {}): Redis {
    const c = new Redis({
      sentinels: this.sentinels.map((s) => ({ host: s.ip, port: s.port })),
      name: this.masterName,
      username: user,
      password: this.passwords[user],
      sentinelUsername: user,
      sentinelPassword: this.passwords[user],
      failoverDetector: true,
      connectTimeout: 1000,
      sentinelRetryStrategy: () => 100,
      retryStrategy: () => 100,
      reconnectOnError: (err) => (/^READONLY|^LOADING|^MASTERDOWN/.test(err.message) ? 2 : false),
      maxRetriesPerRequest: null,
      lazyConnect: false,
      // ioredis waits this long for a closed stream's 'close' on disconnect() (TLS streams
      // that failed their handshake never send another): keep jest from waiting on it.
      disconnectTimeout: 200,
      ...this.clientOptions,
      ...options,
    });
    c.on('error', () => undefined);
    this.clients.add(c);
    return c;
  }

  /** A direct (non-sentinel) ioredis client to one pod. */
  direct(pod: Pod, user: AclUser = 'app', options: RedisOptions = {}): Redis {
    const c = new Redis({ host: pod.ip, port: pod.port, username: user, password: this.passwords[user], connectTimeout: 1000, retryStrategy: () => null, maxRetriesPerRequest: 1, disconnectTimeout: 200, ...this.clientOptions, ...options });
    c.on('error', () => undefined);
    this.clients.add(c);
    return c;
  }

  /** Last lines of every pod's container log (for failure messages). */
  logs(lines = 30): string {
    return this.pods
      .filter((p) => fs.existsSync(p.logFile))
      .map((p) => `=== ${p.name} (${p.ip})\n${fs.readFileSync(p.logFile, 'utf8').split('\n').slice(-lines).join('\n')}`)
      .join('\n');
  }

  /** Kill everything this cluster started, close clients, remove the temp dirs. */
  async dispose(opts: { keep?: boolean } = {}): Promise<void> {
    for (const c of this.clients) c.disconnect();
    this.clients.clear();
    const all = [...this.pods, ...this.extras];
    for (const p of all) if (p.proc?.pid) killGroup(p.proc.pid, 'SIGKILL');
    await Promise.all(all.map((p) => (p.exited ? within(p.exited, 5000) : undefined)));
    if (!opts.keep && !process.env.KEEP_REDIS_LIVE) fs.rmSync(this.root, { recursive: true, force: true });
  }
}

