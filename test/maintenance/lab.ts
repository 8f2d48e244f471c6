/**
 * Live fixtures of the maintenance tests: Redis nodes started with the SYNTHESIZED
 * redis-start.sh, redis.conf and users.acl (the start script renders the ACL from the
 * mounted passwords), and the maintenance CronJobs' scripts run straight from the
 * synthesized ConfigMap with the CronJob container's own env. Only what the cluster
 * provides is replaced: mount paths, pod IP/name and DNS names (loopback addresses in
 * 127.0.20.x … 127.0.29.x). Every process runs under `timeout -s KILL` in its own
 * process group and dispose() kills them all. With tls.enabled, Secrets that cert-manager
 * Certificates fill come from a test CA (TestIssuer; pass the RedisCluster's to share its
 * CA) and cli()/client() speak TLS.
 */
import { ChildProcess } from 'child_process';
import * as fs from 'fs';
import Redis from 'ioredis';
import * as os from 'os';
import * as path from 'path';
import { AclUser } from '../../src/components/redis/contract';
import { passwordFile } from '../../src/components/secrets/keys';
import { FULLNAME, K8sObject, configMapData, findObject } from '../support/manifests';
import { RunResult, fixturePasswords, killGroup, run, startInGroup, waitFor, within } from '../support/redis';
import { TestIssuer } from '../support/tls-issuer';

/** A CronJob's pod and one of its containers (by name; the first, the job's own, by default). */
export function cronJobContainer(objects: K8sObject[], job: string, name?: string) {
  const cj = findObject(objects, 'CronJob', `${FULLNAME}-${job}`);
  const pod = cj.spec.jobTemplate.spec.template.spec;
  const container = name ? pod.containers.find((c: any) => c.name === name) : pod.containers[0];
  if (!container) throw new Error(`CronJob ${FULLNAME}-${job} has no container ${name}`);
  return { cronJob: cj, pod, container };
}

/** What runJob replaces besides DNS names: the backup volume, shared pod volumes, Secret values. */
export interface JobFixtures {
  redisHost: string;
  sentinelPattern?: string;
  backupDir?: string;
  env?: Record<string, string>;
  timeoutMs?: number;
  wrapper?: string[];
  /** The container to run (default: the first, the job's own). */
  container?: string;
  /** Directories of the pod's emptyDir volumes by name, for containers of one pod that share them. */
  volumes?: Record<string, string>;
  /** Run this instead of the container's command (paths under its mounts are mapped like the command's). */
  command?: string[];
  /** Values of the Secrets that env valueFrom.secretKeyRef names: secret name → key → value. */
  secrets?: Record<string, Record<string, string>>;
}

export interface Node {
  readonly ip: string;
  readonly port: number;
  readonly root: string;
  proc?: ChildProcess;
  exited?: Promise<number | null>;
}

export class Lab {
  readonly root = fs.mkdtempSync(path.join(os.tmpdir(), 'maintenance-live-'));
  readonly nodes: Node[] = [];
  private readonly clients = new Set<Redis>();

  constructor(
    readonly objects: K8sObject[],
    private readonly maxLifetimeSeconds = 600,
    readonly passwords: Record<AclUser, string> = fixturePasswords(),
    private issuer?: TestIssuer,
  ) {}

  /** Whether the Redis pods of these manifests run TLS-only (TLS_ENABLED=true). */
  get tlsEnabled(): boolean {
    const c = findObject(this.objects, 'StatefulSet', `${FULLNAME}-redis`).spec.template.spec.containers[0];
    return (c.env ?? []).some((e: any) => e.name === 'TLS_ENABLED' && e.value === 'true');
  }

  /** The test CA that issues the manifests' Certificates (created on first use unless given). */
  get tls(): TestIssuer {
    this.issuer ??= new TestIssuer(this.objects, path.join(this.root, 'cert-manager'));
    return this.issuer;
  }

  /**
   * Files of a Secret volume that a cert-manager Certificate fills (honouring items), else
   * undefined; `hosts` maps the pod's DNS names to its loopback address for the SANs.
   */
  private certificateFiles(volume: any, hosts?: ReadonlyMap<string, string>): Record<string, string> | undefined {
    const name = volume?.secret?.secretName;
    if (!name || !this.objects.some((o) => o.kind === 'Certificate' && o.spec?.secretName === name)) return undefined;
    const data: Record<string, string> = this.tls.secretData(name, hosts);
    const items: { key: string; path: string }[] = volume.secret.items ?? Object.keys(data).map((k) => ({ key: k, path: k }));
    return Object.fromEntries(items.map((i) => [i.path, data[i.key]]));
  }

  /**
   * Start a standalone Redis node the way its StatefulSet container does (redis-start.sh).
   * `prepareData` may fill the data directory first (a restore).
   */
  async startRedis(ip: string, extraConf: string[] = [], prepareData?: (dataDir: string) => Promise<void>): Promise<Node> {
    const sts = findObject(this.objects, 'StatefulSet', `${FULLNAME}-redis`);
    const c = sts.spec.template.spec.containers[0];
    const root = path.join(this.root, ip);
    const dirs: Record<string, string> = {};
    const announce = c.env.find((e: any) => e.name === 'ANNOUNCE_HOST')?.value;
    const hosts = new Map<string, string>(announce ? [[String(announce).replace('$(POD_NAME)', `${FULLNAME}-redis-0`), ip]] : []);
    for (const m of c.volumeMounts) {
      dirs[m.mountPath] = path.join(root, m.name);
      fs.mkdirSync(dirs[m.mountPath], { recursive: true });
      const tlsFiles = this.certificateFiles(sts.spec.template.spec.volumes.find((v: any) => v.name === m.name), hosts);
      for (const [k, v] of Object.entries(tlsFiles ?? {})) fs.writeFileSync(path.join(dirs[m.mountPath], k), v, { mode: 0o400 });
    }
    const config = configMapData(this.objects, `${FULLNAME}-redis-config`);
    for (const [k, v] of Object.entries(config)) fs.writeFileSync(path.join(root, 'templates', k), v + (k === 'redis.conf' ? extraConf.map((l) => `\n${l}`).join('') + '\n' : ''));
    for (const [k, v] of Object.entries(configMapData(this.objects, `${FULLNAME}-redis-scripts`))) fs.writeFileSync(path.join(root, 'scripts', k), v, { mode: 0o555 });
    for (const u of Object.keys(this.passwords) as AclUser[]) fs.writeFileSync(path.join(root, 'secrets', passwordFile(u)), this.passwords[u], { mode: 0o400 });
    const env: Record<string, string> = { PATH: process.env.PATH!, LANG: 'C' };
    for (const e of c.env) {
      if (e.valueFrom) env[e.name] = e.valueFrom.fieldRef.fieldPath === 'status.podIP' ? ip : `${FULLNAME}-redis-0`;
      else env[e.name] = this.localPath(dirs, String(e.value));
    }
    env.ANNOUNCE_HOST = ip;
    const node: Node = { ip, port: Number(env.REDIS_PORT), root };
    if (prepareData) await prepareData(path.join(root, 'data'));
    const cmd = c.command.map((a: string) => this.localPath(dirs, a));
    this.spawn(node, cmd, env, path.join(root, 'container.log'));
    this.nodes.push(node);
    await waitFor(`redis on ${ip}`, async () => (await this.cli(node, 'monitor', ['PING'])).stdout.trim() === 'PONG', 20000);
    return node;
  }

  private localPath(dirs: Record<string, string>, value: string): string {
    for (const [mp, dir] of Object.entries(dirs).sort((a, b) => b[0].length - a[0].length)) {
      if (value === mp || value.startsWith(`${mp}/`)) return dir + value.slice(mp.length);
    }
    return value;
  }

  private spawn(node: Node, cmd: string[], env: Record<string, string>, logFile: string) {
    const { proc, exited } = startInGroup(cmd, { env, cwd: node.root, logFile, maxLifetimeSeconds: this.maxLifetimeSeconds });
    node.proc = proc;
    node.exited = exited;
  }

  /**
   * Run a maintenance CronJob's container command from the synthesized manifests: its
   * ConfigMap files, only the passwords its Secret volume mounts, its env (DNS names
   * and mount paths replaced by fixtures, `env` overriding).
   */
  async runJob(job: string, fixtures: JobFixtures): Promise<RunResult> {
    const { pod, container } = cronJobContainer(this.objects, job, fixtures.container);
    const dir = fs.mkdtempSync(path.join(this.root, `${job}-`));
    const dirs: Record<string, string> = {};
    for (const m of container.volumeMounts) {
      const vol = pod.volumes.find((v: any) => v.name === m.name);
      const d = vol.persistentVolumeClaim && fixtures.backupDir ? fixtures.backupDir : (vol.emptyDir && fixtures.volumes?.[m.name]) || path.join(dir, m.name);
      fs.mkdirSync(d, { recursive: true });
      dirs[m.mountPath] = d;
      if (vol.configMap) {
        for (const [k, v] of Object.entries(configMapData(this.objects, vol.configMap.name))) fs.writeFileSync(path.join(d, k), v, { mode: vol.configMap.defaultMode });
      } else if (vol.secret) {
        const tlsFiles = this.certificateFiles(vol);
        if (tlsFiles) for (const [k, v] of Object.entries(tlsFiles)) fs.writeFileSync(path.join(d, k), v, { mode: 0o400 });
        else for (const item of vol.secret.items) fs.writeFileSync(path.join(d, item.path), this.passwords[item.key.replace(/-password$/, '') as AclUser], { mode: 0o400 });
      }
    }
    const env: Record<string, string> = { PATH: process.env.PATH!, LANG: 'C' };
    for (const e of container.env) {
      const ref = e.valueFrom?.secretKeyRef;
      if (ref) {
        const value = fixtures.secrets?.[ref.name]?.[ref.key];
        if (value === undefined) throw new Error(`${job}: env ${e.name} reads key ${ref.key} of Secret ${ref.name}, which the test did not give`);
        env[e.name] = value;
        continue;
      }
      if (e.valueFrom) throw new Error(`${job}: env ${e.name} uses valueFrom`);
      env[e.name] = this.localPath(dirs, String(e.value));
    }
    env.REDIS_SERVICE_HOST = fixtures.redisHost;
    if (fixtures.sentinelPattern) env.SENTINEL_HOST_PATTERN = fixtures.sentinelPattern;
    for (const [k, v] of Object.entries(env)) if (/\.svc\b/.test(v) && !(k === 'SENTINEL_HOST_PATTERN' && env.REDIS_MODE !== 'sentinel')) throw new Error(`${job}: env ${k}=${v} needs cluster DNS`);
    Object.assign(env, fixtures.env ?? {});
    const [file, ...args] = (fixtures.command ?? container.command).map((a: string) => this.localPath(dirs, a));
    const [program, ...rest] = [...(fixtures.wrapper ?? []), file, ...args];
    return run(program, rest, { env, timeoutMs: fixtures.timeoutMs ?? 120000, cwd: dir });
  }

  cli(node: Node, user: AclUser, args: string[], timeoutMs = 5000): Promise<RunResult> {
    const tls = this.tlsEnabled ? ['--tls', '--cacert', this.tls.ca.certFile] : [];
    return run('redis-cli', ['--no-auth-warning', ...tls, '--user', user, '-h', node.ip, '-p', String(node.port), ...args], {
      env: { PATH: process.env.PATH!, HOME: this.root, REDISCLI_AUTH: this.passwords[user] },
      timeoutMs,
    });
  }

  client(node: Node, user: AclUser, db = 0): Redis {
    const tls = this.tlsEnabled ? { tls: { ca: this.tls.ca.cert } } : {};
    const c = new Redis({ host: node.ip, port: node.port, username: user, password: this.passwords[user], db, maxRetriesPerRequest: 1, retryStrategy: () => null, enableAutoPipelining: false, ...tls });
    c.on('error', () => undefined);
    this.clients.add(c);
    return c;
  }

  async dispose(): Promise<void> {
    for (const c of this.clients) c.disconnect();
    for (const n of this.nodes) if (n.proc?.pid) killGroup(n.proc.pid, 'SIGKILL');
    await Promise.all(this.nodes.map((n) => n.exited && within(n.exited, 5000)));
    if (!process.env.KEEP_MAINTENANCE_LIVE) fs.rmSync(this.root, { recursive: true, force: true });
  }
}

/** Every key of one DB under a pattern, with type, value (DUMP payload) and PTTL, read as an ACL user. */
export async function snapshot(c: Redis, match: string): Promise<Map<string, { type: string; value: string; pttl: number }>> {
  const keys = new Set<string>();
  let cursor = '0';
  do {
    const [next, batch] = await c.scan(cursor, 'MATCH', match, 'COUNT', 1000);
    cursor = next;
    batch.forEach((k) => keys.add(k));
  } while (cursor !== '0');
  const out = new Map<string, { type: string; value: string; pttl: number }>();
  const sorted = [...keys].sort();
  for (let i = 0; i < sorted.length; i += 500) {
    const slice = sorted.slice(i, i + 500);
    const p = c.pipeline();
    for (const k of slice) p.type(k).pttl(k);
    const res = await p.exec();
    const values = await Promise.all(slice.map(async (k, j) => {
      const type = res![2 * j][1] as string;
      if (type === 'string') return c.get(k);
      if (type === 'zset') return JSON.stringify(await c.zrange(k, 0, -1, 'WITHSCORES'));
      if (type === 'hash') return JSON.stringify(Object.entries(await c.hgetall(k)).sort());
      if (type === 'set') return JSON.stringify((await c.smembers(k)).sort());
      if (type === 'list') return JSON.stringify(await c.lrange(k, 0, -1));
      return `<${type}>`;
    }));
    slice.forEach((k, j) => out.set(k, { type: res![2 * j][1] as string, value: String(values[j]), pttl: Number(res![2 * j + 1][1]) }));
  }
  return out;
}
