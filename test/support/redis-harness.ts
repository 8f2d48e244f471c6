/**
 * Live Redis harness: runs the SYNTHESIZED manifests' Redis topology as real processes.
 *
 * Every "pod" of the Redis and Sentinel StatefulSets becomes a directory laid out like
 * the pod's volume mounts (ConfigMap volumes hold the ConfigMap's data, Secret volumes
 * hold fixture passwords, emptyDirs and claims are empty dirs that survive restarts like
 * a container restart), and its container command runs with the container's own env
 * list. Only what the cluster provides is replaced by fixture values:
 *   - downward API fields (metadata.name, status.podIP),
 *   - mount paths (an env value or argument under a mountPath points into the pod dir),
 *   - DNS names (ANNOUNCE_HOST and the *_HOST_PATTERN vars become loopback addresses).
 * Each pod has its own loopback address 127.0.<octet>.<n>: Redis pod i is .1i, Sentinel
 * pod i is .2i. Use a different octet (10..19) per test file so jest workers never meet.
 *
 * TLS mode: when a pod mounts a Secret that a cert-manager Certificate of the manifests
 * fills (the `tls` volume when tls.enabled), a CA made with openssl in the test
 * (TestIssuer, test/support/tls-issuer.ts) issues that Certificate into the volume dir as
 * cert-manager lays out the Secret (tls.crt, tls.key, ca.crt); the pod's DNS names map to
 * its loopback address in the SANs. When the Redis container has TLS_ENABLED=true, cli()
 * and the ioredis clients speak TLS and trust that CA (Redis and Sentinel connections).
 *
 * Every process runs under `timeout -s KILL <maxLifetimeSeconds>` in its own process
 * group; dispose() (call it in afterAll) kills every group, pass or fail, and an exit
 * hook does the same if the worker dies first.
 */
import { ChildProcess, execFile, spawn } from 'child_process';
import * as crypto from 'crypto';
import * as fs from 'fs';
import Redis, { RedisOptions } from 'ioredis';
import * as os from 'os';
import * as path from 'path';
import * as YAML from 'yaml';
import { PROJECT_ROOT } from '../../src/render/assets';
import { K8sObject, configMapData, findObject, loadDist, renderValues } from './manifests';
import { TestIssuer } from './tls-issuer';

export const FULLNAME = 'session-database';
export const ACL_USERS = ['app', 'cache', 'monitor', 'cleanup', 'backup', 'replication', 'sentinel'] as const;
export type User = (typeof ACL_USERS)[number];

export type PodKind = 'redis' | 'sentinel';

export interface Pod {
  readonly kind: PodKind;
  readonly ordinal: number;
  readonly name: string;
  readonly ip: string;
  readonly port: number;
  /** The pod's directory; one sub directory per volume. */
  readonly root: string;
  /** volume name → directory */
  readonly volumes: Record<string, string>;
  /** mountPath → directory */
  readonly mounts: Record<string, string>;
  readonly env: Record<string, string>;
  readonly container: any;
  readonly terminationGraceSeconds: number;
  readonly logFile: string;
  proc?: ChildProcess;
  exited?: Promise<number | null>;
}

export interface ClusterOptions {
  /** Third octet of the loopback addresses (10..19), one per test file. */
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

export interface RunResult {
  code: number | null;
  stdout: string;
  stderr: string;
  ms: number;
}

function mergeValues(a: any, b: any): any {
  if (typeof a !== 'object' || a === null || typeof b !== 'object' || b === null || Array.isArray(b)) return b;
  const out = { ...a };
  for (const [k, v] of Object.entries(b)) out[k] = mergeValues(a[k], v);
  return out;
}

/** Manifests of values/<env>.yaml with overrides merged in, rendered in memory (e.g. production with { tls: { enabled: false } }). */
export function renderEnvironment(env: string, overrides: object = {}): K8sObject[] {
  const base = YAML.parse(fs.readFileSync(path.join(PROJECT_ROOT, 'values', `${env}.yaml`), 'utf8'), { version: '1.1' });
  return renderValues(mergeValues(base, overrides), `${env}-variant`);
}

/** Fixture passwords, fresh per run (alphanumeric plus - and _). */
export function fixturePasswords(): Record<User, string> {
  return Object.fromEntries(
    ACL_USERS.map((u) => [u, `${u}-${crypto.randomBytes(12).toString('base64url')}`]),
  ) as Record<User, string>;
}

const liveGroups = new Set<number>();
let exitHookInstalled = false;
function installExitHook() {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.on('exit', () => {
    for (const pid of liveGroups) killGroup(pid, 'SIGKILL');
  });
  // Outside jest (bench, scripts) an interrupted run must not leave servers behind either.
  if (process.env.JEST_WORKER_ID === undefined) {
    for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
      process.once(signal, () => {
        for (const pid of liveGroups) killGroup(pid, 'SIGKILL');
        process.exit(128 + (signal === 'SIGINT' ? 2 : signal === 'SIGTERM' ? 15 : 1));
      });
    }
  }
}

function killGroup(pid: number, signal: NodeJS.Signals): boolean {
  try {
    process.kill(-pid, signal);
    return true;
  } catch {
    try {
      process.kill(pid, signal);
      return true;
    } catch {
      return false;
    }
  }
}

export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** Whether the promise settles within ms (the timer never outlives the call). */
export async function within(p: Promise<unknown>, ms: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<boolean>((r) => (timer = setTimeout(() => r(false), ms)));
  try {
    return await Promise.race([p.then(() => true), timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/** Poll until fn returns a truthy value; throws with the last value/error after timeoutMs. */
export async function waitFor<T>(
  what: string,
  fn: () => Promise<T> | T,
  timeoutMs = 20000,
  intervalMs = 100,
): Promise<NonNullable<T>> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const v = await fn();
      if (v) return v as NonNullable<T>;
      last = v;
    } catch (e) {
      last = e;
    }
    if (Date.now() > deadline) {
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}; last: ${last instanceof Error ? last.message : JSON.stringify(last)}`);
    }
    await sleep(intervalMs);
  }
}

/** Run a program, bounded in time, never throwing. */
export function run(file: string, args: string[], opts: { env?: Record<string, string>; timeoutMs?: number; cwd?: string; input?: string } = {}): Promise<RunResult> {
  const started = Date.now();
  return new Promise((resolve) => {
    const child = execFile(
      file,
      args,
      { env: opts.env ?? (process.env as Record<string, string>), timeout: opts.timeoutMs ?? 10000, killSignal: 'SIGKILL', cwd: opts.cwd, maxBuffer: 64 * 1024 * 1024, encoding: 'utf8' },
      (err, stdout, stderr) => {
        const code = err ? (typeof (err as any).code === 'number' ? (err as any).code : null) : 0;
        resolve({ code, stdout: String(stdout), stderr: String(stderr), ms: Date.now() - started });
      },
    );
    if (opts.input !== undefined) child.stdin?.end(opts.input);
  });
}

/** Expand Kubernetes $(VAR) references against earlier env entries. */
function expandK8s(value: string, env: Record<string, string>): string {
  return value.replace(/\$\(([A-Za-z_][A-Za-z0-9_]*)\)/g, (m, name) => (name in env ? env[name] : m));
}

export class RedisCluster {
  readonly root: string;
  readonly objects: K8sObject[];
  readonly fullname: string;
  readonly passwords: Record<User, string>;
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
    if (!(opts.octet >= 10 && opts.octet <= 19)) throw new Error(`octet ${opts.octet}: live tests use 127.0.10.x … 127.0.19.x`);
    installExitHook();
    this.opts = opts;
    this.objects = opts.objects ?? loadDist('production');
    this.fullname = opts.fullname ?? FULLNAME;
    this.passwords = (opts.passwords as Record<User, string>) ?? fixturePasswords();
    this.maxLifetime = opts.maxLifetimeSeconds ?? 300;
    this.config = configMapData(this.objects, `${this.fullname}-redis-config`);
    this.scripts = configMapData(this.objects, `${this.fullname}-redis-scripts`);
    this.root = fs.mkdtempSync(path.join(os.tmpdir(), `redis-live-${opts.octet}-`));
    const redisSts = findObject(this.objects, 'StatefulSet', `${this.fullname}-redis`);
    const sentinelSts = this.objects.find((o) => o.kind === 'StatefulSet' && o.metadata.name === `${this.fullname}-sentinel`);
    for (const [sts, ip] of [[redisSts, (i: number) => this.redisIp(i)], [sentinelSts, (i: number) => this.sentinelIp(i)]] as const) {
      if (sts) for (let i = 0; i < 10; i++) for (const host of this.dnsNamesOf(sts, i)) this.hosts.set(host, ip(i));
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

  /**
   * DNS names the cluster gives pod `ordinal` of a StatefulSet: its ANNOUNCE_HOST and the
   * *_HOST_PATTERN names (read from the manifest before fixture substitution).
   */
  private dnsNamesOf(sts: K8sObject, ordinal: number): string[] {
    const env: Record<string, string> = { POD_NAME: `${sts.metadata.name}-${ordinal}` };
    const names: string[] = [];
    const container = sts.spec.template.spec.containers[0];
    for (const e of container.env ?? []) {
      if (typeof e.value !== 'string') continue;
      if (e.name === 'ANNOUNCE_HOST') names.push(expandK8s(e.value, env));
      const own = (sts.metadata.name as string).endsWith('-sentinel') ? 'SENTINEL_HOST_PATTERN' : 'REDIS_HOST_PATTERN';
      if (e.name === own) names.push(e.value.replace('%d', String(ordinal)));
    }
    return names.filter((h) => !h.includes('$('));
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
    return `127.0.${this.opts.octet}.1${i}`;
  }
  sentinelIp(i: number) {
    return `127.0.${this.opts.octet}.2${i}`;
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
    const spec = sts.spec.template.spec;
    const container = spec.containers[0];
    const name = `${sts.metadata.name}-${ordinal}`;
    const ip = kind === 'redis' ? this.redisIp(ordinal) : this.sentinelIp(ordinal);
    const port = Number((container.ports ?? [])[0]?.containerPort);
    const root = path.join(this.root, name);
    const volumes: Record<string, string> = {};
    const mounts: Record<string, string> = {};
    const volumeSpecs: any[] = [...(spec.volumes ?? []), ...(sts.spec.volumeClaimTemplates ?? []).map((c: any) => ({ name: c.metadata.name, claim: true }))];
    for (const mount of container.volumeMounts ?? []) {
      const vol = volumeSpecs.find((v) => v.name === mount.name);
      if (!vol) throw new Error(`${name}: volumeMount ${mount.name} has no volume`);
      const dir = path.join(root, mount.name);
      fs.mkdirSync(dir, { recursive: true });
      if (vol.configMap) {
        const data = configMapData(this.objects, vol.configMap.name);
        for (const [k, v] of Object.entries(data)) fs.writeFileSync(path.join(dir, k), v, { mode: vol.configMap.defaultMode ?? 0o644 });
      } else if (vol.secret) {
        const certificate = !this.opts.secrets?.[vol.secret.secretName] && this.objects.some((o) => o.kind === 'Certificate' && o.spec?.secretName === vol.secret.secretName);
        const data: Record<string, string> =
          this.opts.secrets?.[vol.secret.secretName] ??
          (certificate ? this.tlsIssuer().secretData(vol.secret.secretName) : Object.fromEntries(ACL_USERS.map((u) => [`${u}-password`, this.passwords[u]])));
        const items: { key: string; path: string }[] = vol.secret.items ?? Object.keys(data).map((k) => ({ key: k, path: k }));
        for (const { key, path: file } of items) fs.writeFileSync(path.join(dir, file), data[key], { mode: 0o400 });
      } else if (!vol.emptyDir && !vol.claim && !vol.persistentVolumeClaim) {
        throw new Error(`${name}: volume ${vol.name} has a type the harness does not emulate`);
      }
      volumes[mount.name] = dir;
      mounts[mount.mountPath] = dir;
    }
    const env: Record<string, string> = {};
    const rewrite = (value: string) => {
      for (const [mp, dir] of Object.entries(mounts).sort((a, b) => b[0].length - a[0].length)) {
        if (value === mp || value.startsWith(`${mp}/`)) return dir + value.slice(mp.length);
      }
      return value;
    };
    // Fixture values for what the cluster's DNS provides.
    const dnsFixtures: Record<string, string> = {
      ANNOUNCE_HOST: ip,
      REDIS_HOST_PATTERN: `127.0.${this.opts.octet}.1%d`,
      SENTINEL_HOST_PATTERN: `127.0.${this.opts.octet}.2%d`,
    };
    for (const e of container.env ?? []) {
      let value: string;
      if (e.valueFrom?.fieldRef) {
        const field = e.valueFrom.fieldRef.fieldPath;
        if (field === 'metadata.name') value = name;
        else if (field === 'status.podIP') value = ip;
        else throw new Error(`${name}: env ${e.name} uses fieldRef ${field}, which the harness does not emulate`);
      } else if (e.valueFrom) {
        throw new Error(`${name}: env ${e.name} uses ${Object.keys(e.valueFrom)} which the harness does not emulate`);
      } else if (e.name in dnsFixtures) {
        value = dnsFixtures[e.name];
      } else {
        value = rewrite(expandK8s(String(e.value ?? ''), env));
      }
      if (/\.svc\b/.test(value)) throw new Error(`${name}: env ${e.name}=${value} needs cluster DNS; give the harness a loopback fixture for it`);
      env[e.name] = value;
    }
    return {
      kind,
      ordinal,
      name,
      ip,
      port,
      root,
      volumes,
      mounts,
      env,
      container,
      terminationGraceSeconds: spec.terminationGracePeriodSeconds ?? 30,
      logFile: path.join(root, 'container.log'),
    };
  }

  /** The process environment of a pod: the container's env plus PATH and the tuning knobs. */
  processEnv(pod: Pod): Record<string, string> {
    return { PATH: process.env.PATH ?? '/usr/bin:/bin', LANG: 'C', ...pod.env, ...(this.opts.env ?? {}) };
  }

  /** A command of the manifest (container command, probe, preStop) with mount paths pointing into the pod dir. */
  localCommand(pod: Pod, command: string[]): string[] {
    return command.map((arg) => {
      for (const [mp, dir] of Object.entries(pod.mounts).sort((a, b) => b[0].length - a[0].length)) {
        if (arg === mp || arg.startsWith(`${mp}/`)) return dir + arg.slice(mp.length);
      }
      return arg;
    });
  }

  running(pod: Pod): boolean {
    return !!pod.proc && pod.proc.exitCode === null && pod.proc.signalCode === null;
  }

  /** Start the container command (as the kubelet would), in its own process group, time-bounded. */
  start(pod: Pod): void {
    if (this.running(pod)) throw new Error(`${pod.name} is already running`);
    const cmd = this.localCommand(pod, [...(pod.container.command ?? []), ...(pod.container.args ?? [])]);
    const log = fs.openSync(pod.logFile, 'a');
    fs.writeSync(log, `--- start ${new Date().toISOString()} ${cmd.join(' ')}\n`);
    const proc = spawn('timeout', ['-s', 'KILL', String(this.maxLifetime), ...cmd], {
      env: this.processEnv(pod),
      cwd: pod.root,
      detached: true,
      stdio: ['ignore', log, log],
    });
    fs.closeSync(log);
    const pid = proc.pid!;
    liveGroups.add(pid);
    pod.proc = proc;
    pod.exited = new Promise((resolve) => {
      proc.on('exit', (code) => {
        liveGroups.delete(pid);
        // The container is gone: kill whatever the script left in its group.
        killGroup(pid, 'SIGKILL');
        resolve(code);
      });
    });
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

  /** Run one of the container's exec probes; resolves to its exit code. */
  async probe(pod: Pod, which: 'livenessProbe' | 'readinessProbe' | 'startupProbe'): Promise<RunResult> {
    const probe = pod.container[which];
    if (!probe?.exec?.command) throw new Error(`${pod.name} has no exec ${which}`);
    const [file, ...args] = this.localCommand(pod, probe.exec.command);
    return run(file, args, { env: this.processEnv(pod), timeoutMs: (probe.timeoutSeconds ?? 1) * 1000, cwd: pod.root });
  }

  /** Graceful pod termination: preStop, then SIGTERM, bounded by the grace period. */
  async terminate(pod: Pod): Promise<RunResult | undefined> {
    const result = pod.container.lifecycle?.preStop ? await this.preStop(pod) : undefined;
    await this.stop(pod, 'SIGTERM');
    return result;
  }

  /** redis-cli against a pod as an ACL user (null = no AUTH); the password travels in the environment. */
  cli(pod: Pod, user: User | 'default' | null, args: string[], opts: { timeoutMs?: number; password?: string; raw?: boolean; cliArgs?: string[] } = {}): Promise<RunResult> {
    const env: Record<string, string> = { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: pod.volumes.tmp ?? this.root };
    const base = ['--no-auth-warning', ...(opts.cliArgs ?? this.cliArgs), '-h', pod.ip, '-p', String(pod.port)];
    if (user !== null) {
      base.push('--user', user);
      env.REDISCLI_AUTH = opts.password ?? (user === 'default' ? 'x' : this.passwords[user]);
    }
    return run('redis-cli', [...base, ...args], { env, timeoutMs: opts.timeoutMs ?? 5000 });
  }

  /** Output of a redis-cli call that must succeed (exit 0, no error reply). */
  async ask(pod: Pod, user: User, ...args: string[]): Promise<string> {
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
  client(user: User = 'app', options: RedisOptions = {}): Redis {
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
  direct(pod: Pod, user: User = 'app', options: RedisOptions = {}): Redis {
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

/** Tuning knobs the scripts read (no code branches): short polls so a test run stays fast. */
export const FAST_SCRIPT_ENV = {
  POLL_SECONDS: '0.2',
  CLI_TIMEOUT_SECONDS: '2',
  STARTUP_WAIT_SECONDS: '120',
};

/**
 * Writes numbered session keys one after another; a key counts as acknowledged only
 * when SET and `WAIT 1 <ms>` (sent together on one connection) both succeed and WAIT
 * reports at least one replica. Commands are never resent on another connection, so a
 * WAIT can never vouch for a SET that went to a different server.
 */
export class AckedWriter {
  readonly acked: number[] = [];
  readonly ackTimes: number[] = [];
  readonly errors: string[] = [];
  /** Client-level errors, and the last one before each time the client had given up. */
  readonly clientErrors: string[] = [];
  readonly restarts: string[] = [];
  next = 0;
  private running = false;
  private loop?: Promise<void>;

  constructor(
    private readonly client: Redis,
    readonly prefix = `session:drill:${Date.now()}:`,
    private readonly waitMs = 1000,
    private readonly pauseMs = 2,
  ) {}

  private onClose?: () => void;

  start(): this {
    this.running = true;
    this.client.on('close', () => this.onClose?.());
    this.client.on('error', (e: Error) => this.clientErrors.push(e.message));
    this.loop = (async () => {
      while (this.running) {
        // ioredis gives up ("end") when its sentinel connector fails in certain ways; an
        // application would connect again, and so does this writer.
        if (this.client.status === 'end') {
          this.restarts.push(this.clientErrors.at(-1) ?? 'unknown');
          await this.client.connect().catch(() => undefined);
        }
        const n = this.next++;
        try {
          // A command that ioredis drops on a reconnect never settles: give up on it after a bound.
          const exec = this.client.pipeline().set(`${this.prefix}${n}`, String(n)).wait(1, this.waitMs).exec();
          const reply: { res?: Awaited<typeof exec> } = {};
          // ioredis drops (never settles) the commands of a closed connection when it must not resend them.
          const closed = new Promise<void>((r) => (this.onClose = r));
          const replied = exec.then((r) => (reply.res = r));
          if (!(await within(Promise.race([replied, closed]), this.waitMs + 2000)) || !reply.res) throw new Error('no reply');
          const res = reply.res;
          const [setRes, waitRes] = res ?? [];
          if (!setRes?.[0] && setRes?.[1] === 'OK' && !waitRes?.[0] && Number(waitRes?.[1]) >= 1) {
            this.acked.push(n);
            this.ackTimes.push(Date.now());
          } else {
            this.errors.push(String(setRes?.[0] ?? waitRes?.[0] ?? `WAIT ${waitRes?.[1]}`));
            await sleep(10);
          }
        } catch (e) {
          this.errors.push(String((e as Error).message));
          await sleep(10);
        }
        if (this.pauseMs) await sleep(this.pauseMs);
      }
    })();
    return this;
  }

  async stop(): Promise<void> {
    this.running = false;
    await this.loop;
  }

  /** Wait for `count` more acknowledgements than now. */
  async waitAcks(count: number, timeoutMs = 20000): Promise<void> {
    const target = this.acked.length + count;
    await waitFor(`${count} acknowledged writes`, () => this.acked.length >= target, timeoutMs, 20);
  }

  /** Time of the first acknowledgement of a write issued at or after sequence number n. */
  firstAckFrom(n: number): number | undefined {
    const i = this.acked.findIndex((k) => k >= n);
    return i < 0 ? undefined : this.ackTimes[i];
  }

  /** Acknowledged keys that a pod does not hold (read directly from that pod). */
  async missingOn(cluster: RedisCluster, pod: Pod): Promise<number[]> {
    const c = cluster.direct(pod, 'app');
    try {
      const missing: number[] = [];
      for (let i = 0; i < this.acked.length; i += 1000) {
        const batch = this.acked.slice(i, i + 1000);
        const values = await c.mget(...batch.map((n) => `${this.prefix}${n}`));
        batch.forEach((n, k) => values[k] !== String(n) && missing.push(n));
      }
      return missing;
    } finally {
      c.disconnect();
    }
  }
}

export interface DrillResult {
  /** Seconds from SIGKILL (or preStop start) to the first acknowledged write after it. */
  seconds: number;
  acked: number;
  lost: number;
  oldMaster: Pod;
  newMaster: Pod;
  /** Longest time between two consecutive acknowledgements. */
  maxGapSeconds: number;
  preStop?: RunResult;
  writer: AckedWriter;
}

/**
 * Failover drill: numbered acknowledged writes through a Sentinel-aware client, SIGKILL
 * the master, measure until the first acknowledged write on the new master, check that
 * every acknowledged key is on the new master, restart the old master with its own
 * start script and wait until it is a replica again holding every acknowledged key.
 */
export async function failoverDrill(cluster: RedisCluster, opts: { mode?: 'kill' | 'crash-restart' | 'handover'; waitMs?: number } = {}): Promise<DrillResult> {
  const oldMaster = await cluster.waitSettled(60000, 'a settled topology before the drill');
  // Never resend a command on another connection (a resent WAIT would vouch for nothing).
  const client = cluster.client('app', { autoResendUnfulfilledCommands: false });
  const writer = new AckedWriter(client, undefined, opts.waitMs ?? 1000).start();
  let preStop: RunResult | undefined;
  try {
    await writer.waitAcks(100);
    const from = writer.next;
    const t0 = Date.now();
    if (opts.mode === 'handover') {
      preStop = await cluster.preStop(oldMaster);
      await cluster.stop(oldMaster, 'SIGTERM');
    } else {
      await cluster.kill(oldMaster);
      // crash-restart: the kubelet restarts the container at once, before any failover.
      if (opts.mode === 'crash-restart') cluster.start(oldMaster);
    }
    await waitFor('the first acknowledged write after the master went away', () => writer.firstAckFrom(from), 60000, 20).catch((e) => {
      throw new Error(`${e.message}; client status ${client.status}; last write errors: ${[...new Set(writer.errors.slice(-20))].join(' | ')}`);
    });
    const seconds = (writer.firstAckFrom(from)! - t0) / 1000;
    await writer.waitAcks(100);
    await writer.stop();
    const gaps = writer.ackTimes.slice(1).map((t, i) => t - writer.ackTimes[i]);
    const maxGapSeconds = Math.max(0, ...gaps) / 1000;
    const masters = await waitFor('one new master', async () => {
      const m = await cluster.masters();
      return m.length === 1 && m[0] !== oldMaster ? m : undefined;
    });
    const newMaster = masters[0];
    const lost = (await writer.missingOn(cluster, newMaster)).length;
    if (!cluster.running(oldMaster)) cluster.start(oldMaster);
    await cluster.waitSettled(60000, `${oldMaster.name} to rejoin as a replica`);
    return { seconds, acked: writer.acked.length, lost, oldMaster, newMaster, preStop, maxGapSeconds, writer };
  } finally {
    await writer.stop();
    client.disconnect();
  }
}

/** Wrap a test body so a failure prints the tail of every container log of the cluster. */
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
