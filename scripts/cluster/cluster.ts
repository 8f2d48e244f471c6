/**
 * The local Kubernetes cluster: etcd, kube-apiserver, kube-controller-manager, kube-scheduler and kwok
 * (3 fake nodes in 3 zones), all built from source (build.ts), listening on loopback only (network.ts),
 * with generated certificates (pki.ts) and the operators' CRDs (crds.ts).
 *
 *   npm run cluster -- up      build if needed, start, wait until healthy and the nodes are Ready (no-op when up)
 *   npm run cluster -- down    stop every process it started; no process or port is left
 *   npm run cluster -- env     print `export KUBECONFIG=<path>`
 *
 * Its state lives in the cache folder (`<cache>/cluster/local/`): the kubeconfig at a fixed path, the
 * certificates, the component logs (logs/) and state.json (the pids it started). etcd's data is thrown away
 * at `down`, so every `up` starts from an empty cluster.
 */
import { ChildProcess, spawn, spawnSync } from 'child_process';
import * as fs from 'fs';
import * as http from 'http';
import * as https from 'https';
import * as net from 'net';
import * as path from 'path';
import { cacheDir } from '../cache';
import { BinPaths, ensureAllBuilt } from './build';
import { crdFiles } from './crds';
import { APISERVER_URL, CLUSTER_DOMAIN, ETCD_URL, LOOPBACK, POD_CIDR, PORTS, SERVICE_CIDR } from './network';
import { caPaths, ClientName, createPki, kubeconfig } from './pki';
import { KUBERNETES, KWOK } from './versions';
import { moduleDir } from './gomod';
import { withFileLock } from './lock';

/** The fake nodes: one per zone, so "spread over nodes" and "spread over zones" coincide. */
export const FAKE_NODES = [
  { name: 'kwok-node-a', zone: 'zone-a' },
  { name: 'kwok-node-b', zone: 'zone-b' },
  { name: 'kwok-node-c', zone: 'zone-c' },
] as const;
export const REGION = 'local';
/** The annotation kwok manages nodes by (so a real kubelet's node is left to its kubelet). */
export const FAKE_NODE_ANNOTATION = { key: 'kwok.x-k8s.io/node', value: 'fake' } as const;

const COMPONENTS = ['etcd', 'kube-apiserver', 'kube-controller-manager', 'kube-scheduler', 'kwok'] as const;
type Component = (typeof COMPONENTS)[number];

interface State {
  owner: string;
  startedAt: string;
  pids: Partial<Record<Component, number>>;
  binaries: Partial<Record<Component, string>>;
}

export function clusterDir(): string {
  return cacheDir('cluster', 'local');
}
/** The admin kubeconfig, at a fixed path inside the cache folder. */
export function kubeconfigPath(): string {
  return path.join(clusterDir(), 'kubeconfig');
}
const pkiDir = () => path.join(clusterDir(), 'pki');
const logDir = () => path.join(clusterDir(), 'logs');
const etcdDir = () => path.join(clusterDir(), 'etcd');
const stateFile = () => path.join(clusterDir(), 'state.json');

function log(message: string): void {
  process.stderr.write(`[cluster] ${message}\n`);
}

function readState(): State | undefined {
  try {
    return JSON.parse(fs.readFileSync(stateFile(), 'utf8')) as State;
  } catch {
    return undefined;
  }
}
function writeState(state: State): void {
  fs.writeFileSync(stateFile(), JSON.stringify(state, null, 2) + '\n');
}

/** Whether pid is alive and runs the binary we started (a pid can be reused by another program). */
function runs(pid: number, binary: string | undefined): boolean {
  try {
    const cmdline = fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8');
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    if (/\) Z /.test(stat)) return false; // a zombie has exited
    return binary === undefined || cmdline.split('\0')[0] === binary;
  } catch {
    return false;
  }
}

function logTail(component: string, lines = 30): string {
  try {
    const text = fs.readFileSync(path.join(logDir(), `${component}.log`), 'utf8').trimEnd().split('\n');
    return text.slice(-lines).join('\n');
  } catch {
    return '(no log)';
  }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function waitFor(what: string, timeoutMs: number, check: () => Promise<boolean> | boolean, component?: Component): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let lastError = '';
  while (Date.now() < deadline) {
    try {
      if (await check()) return;
    } catch (err) {
      lastError = (err as Error).message;
    }
    await sleep(200);
  }
  const tail = component ? `\n--- last lines of ${path.join(logDir(), `${component}.log`)}:\n${logTail(component)}` : '';
  throw new Error(`cluster: ${what} not reached within ${timeoutMs / 1000}s${lastError ? ` (last error: ${lastError})` : ''}${tail}`);
}

function httpGet(url: string, tls?: { ca: Buffer; cert: Buffer; key: Buffer }): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const request = (url.startsWith('https:') ? https : http).get(url, { ...tls, timeout: 2000 }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (body += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    request.on('timeout', () => request.destroy(new Error(`GET ${url}: timeout`)));
    request.on('error', reject);
  });
}

function adminTls() {
  const dir = pkiDir();
  return {
    ca: fs.readFileSync(caPaths(dir).cert),
    cert: fs.readFileSync(path.join(dir, 'admin.crt')),
    key: fs.readFileSync(path.join(dir, 'admin.key')),
  };
}

async function apiserverReady(): Promise<boolean> {
  return (await httpGet(`${APISERVER_URL}/readyz`, adminTls())).status === 200;
}

function portOpen(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ host: LOOPBACK, port });
    socket.setTimeout(1000);
    socket.on('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.on('timeout', () => {
      socket.destroy();
      resolve(false);
    });
    socket.on('error', () => resolve(false));
  });
}

/** Whether the cluster this checkout started is running and its API server is ready. */
export async function isUp(): Promise<boolean> {
  const state = readState();
  if (!state) return false;
  const alive = COMPONENTS.every((c) => state.pids[c] !== undefined && runs(state.pids[c]!, state.binaries[c]));
  if (!alive) return false;
  try {
    return await apiserverReady();
  } catch {
    return false;
  }
}

function kwokConfig(): string {
  // kwok's own stages from its module: nodes become Ready with a lease heartbeat, pods become Ready,
  // Job pods complete, deleted pods go away.
  const stages = path.join(moduleDir(KWOK.module, KWOK.version), 'kustomize', 'stage');
  const files = [
    'node/fast/node-initialize.yaml',
    'node/heartbeat-with-lease/node-heartbeat-with-lease.yaml',
    'pod/fast/pod-ready.yaml',
    'pod/fast/pod-complete.yaml',
    'pod/fast/pod-delete.yaml',
  ];
  return files.map((f) => fs.readFileSync(path.join(stages, f), 'utf8').trimEnd()).join('\n---\n') + '\n';
}

function fakeNodesYaml(): string {
  return FAKE_NODES.map((node) =>
    [
      'apiVersion: v1',
      'kind: Node',
      'metadata:',
      `  name: ${node.name}`,
      '  annotations:',
      `    ${FAKE_NODE_ANNOTATION.key}: ${FAKE_NODE_ANNOTATION.value}`,
      '    node.alpha.kubernetes.io/ttl: "0"',
      '  labels:',
      `    kubernetes.io/hostname: ${node.name}`,
      '    kubernetes.io/os: linux',
      '    kubernetes.io/arch: amd64',
      `    topology.kubernetes.io/zone: ${node.zone}`,
      `    topology.kubernetes.io/region: ${REGION}`,
      '    type: kwok',
    ].join('\n'),
  ).join('\n---\n') + '\n';
}

export function kubectl(binaries: BinPaths, args: string[], input?: string): string {
  const r = spawnSync(binaries.kubectl, args, {
    input,
    encoding: 'utf8',
    env: { ...process.env, KUBECONFIG: kubeconfigPath() },
    maxBuffer: 64 * 1024 * 1024,
  });
  if (r.status !== 0) throw new Error(`kubectl ${args.join(' ')} exited ${r.status}:\n${r.stderr}${r.stdout}`);
  return r.stdout;
}

/** Installs the pinned CRDs (server-side apply: the large ones exceed the client-side annotation limit) and waits until Established. */
export async function installCrds(run: (args: string[]) => string, files = crdFiles()): Promise<string[]> {
  const t0 = Date.now();
  run(['apply', '--server-side', '--force-conflicts', '--field-manager=session-database-cluster', ...files.flatMap((f) => ['-f', f.file])]);
  log(`CRDs applied in ${((Date.now() - t0) / 1000).toFixed(1)}s; waiting until the API server serves them`);
  const names = files.flatMap((f) => f.names);
  // Polled rather than `kubectl wait`, which fails on a CRD whose status is not written yet.
  await waitFor('CRDs established', 120_000, () => {
    const crds = JSON.parse(run(['get', 'customresourcedefinitions', '-o', 'json'])).items as { metadata: { name: string }; status?: { conditions?: { type: string; status: string }[] } }[];
    const established = new Set(crds.filter((c) => c.status?.conditions?.some((x) => x.type === 'Established' && x.status === 'True')).map((c) => c.metadata.name));
    return names.every((n) => established.has(n));
  }, 'kube-apiserver');
  return names;
}

export interface UpOptions {
  /** Who started it: `down` at the end of a test run stops only a cluster that run started. */
  owner?: string;
}

export interface Cluster {
  kubeconfig: string;
  binaries: BinPaths;
  /** Whether this call started it (false: it was already up). */
  started: boolean;
  startSeconds?: number;
}

function ensurePki(): void {
  const dir = pkiDir();
  const stamp = path.join(dir, '.complete');
  // Certificates live a year; renew them well before.
  const fresh = fs.existsSync(stamp) && Date.now() - fs.statSync(stamp).mtimeMs < 300 * 86_400_000;
  if (fresh) return;
  createPki(dir);
  fs.writeFileSync(stamp, new Date().toISOString() + '\n');
}

function writeKubeconfigs(): void {
  const clients: ClientName[] = ['kube-controller-manager', 'kube-scheduler', 'kwok'];
  for (const client of clients) fs.writeFileSync(path.join(pkiDir(), `${client}.kubeconfig`), kubeconfig(pkiDir(), client, APISERVER_URL), { mode: 0o600 });
  fs.writeFileSync(kubeconfigPath(), kubeconfig(pkiDir(), 'admin', APISERVER_URL), { mode: 0o600 });
}

function componentArgs(component: Component): string[] {
  const pki = (f: string) => path.join(pkiDir(), f);
  switch (component) {
    case 'etcd':
      return [
        '--name=session-database',
        `--data-dir=${etcdDir()}`,
        `--listen-client-urls=${ETCD_URL}`,
        `--advertise-client-urls=${ETCD_URL}`,
        `--listen-peer-urls=http://${LOOPBACK}:${PORTS.etcdPeer}`,
        `--initial-advertise-peer-urls=http://${LOOPBACK}:${PORTS.etcdPeer}`,
        `--initial-cluster=session-database=http://${LOOPBACK}:${PORTS.etcdPeer}`,
        // A throwaway test cluster: no fsync (its data is deleted at `down` anyway).
        '--unsafe-no-fsync',
        '--log-level=warn',
      ];
    case 'kube-apiserver':
      return [
        `--etcd-servers=${ETCD_URL}`,
        `--bind-address=${LOOPBACK}`,
        `--advertise-address=${LOOPBACK}`,
        `--secure-port=${PORTS.apiserver}`,
        `--tls-cert-file=${pki('apiserver.crt')}`,
        `--tls-private-key-file=${pki('apiserver.key')}`,
        `--client-ca-file=${pki('ca.crt')}`,
        `--kubelet-client-certificate=${pki('apiserver-kubelet-client.crt')}`,
        `--kubelet-client-key=${pki('apiserver-kubelet-client.key')}`,
        `--kubelet-certificate-authority=${pki('ca.crt')}`,
        `--service-account-issuer=https://kubernetes.default.svc.${CLUSTER_DOMAIN}`,
        `--service-account-key-file=${pki('service-account.pub')}`,
        `--service-account-signing-key-file=${pki('service-account.key')}`,
        `--service-cluster-ip-range=${SERVICE_CIDR}`,
        '--authorization-mode=Node,RBAC',
        // The `kubernetes` Service cannot point at a loopback address: no endpoints for it (nothing in a
        // fake pod calls the API server); a real node's pods need a routable advertise address instead.
        '--endpoint-reconciler-type=none',
        // The defaults (PodSecurity, ServiceAccount, DefaultStorageClass, ResourceQuota, …) plus NodeRestriction.
        '--enable-admission-plugins=NodeRestriction',
        // Privileged pods are allowed by the API server so that Pod Security admission is what refuses them.
        '--allow-privileged=true',
        '--profiling=false',
        '--v=1',
      ];
    case 'kube-controller-manager':
      return [
        `--kubeconfig=${pki('kube-controller-manager.kubeconfig')}`,
        `--authentication-kubeconfig=${pki('kube-controller-manager.kubeconfig')}`,
        `--authorization-kubeconfig=${pki('kube-controller-manager.kubeconfig')}`,
        `--bind-address=${LOOPBACK}`,
        `--secure-port=${PORTS.controllerManager}`,
        `--service-account-private-key-file=${pki('service-account.key')}`,
        `--root-ca-file=${pki('ca.crt')}`,
        `--cluster-signing-cert-file=${pki('ca.crt')}`,
        `--cluster-signing-key-file=${pki('ca.key')}`,
        '--use-service-account-credentials=true',
        `--service-cluster-ip-range=${SERVICE_CIDR}`,
        `--cluster-cidr=${POD_CIDR}`,
        '--leader-elect=false',
        '--profiling=false',
        '--v=1',
      ];
    case 'kube-scheduler':
      return [
        `--kubeconfig=${pki('kube-scheduler.kubeconfig')}`,
        `--authentication-kubeconfig=${pki('kube-scheduler.kubeconfig')}`,
        `--authorization-kubeconfig=${pki('kube-scheduler.kubeconfig')}`,
        `--bind-address=${LOOPBACK}`,
        `--secure-port=${PORTS.scheduler}`,
        '--leader-elect=false',
        '--profiling=false',
        '--v=1',
      ];
    case 'kwok':
      return [
        `--config=${path.join(clusterDir(), 'kwok.yaml')}`,
        `--kubeconfig=${pki('kwok.kubeconfig')}`,
        `--manage-nodes-with-annotation-selector=${FAKE_NODE_ANNOTATION.key}=${FAKE_NODE_ANNOTATION.value}`,
        '--node-lease-duration-seconds=40',
        `--node-ip=${LOOPBACK}`,
        `--cidr=${POD_CIDR}`,
      ];
  }
}

function startProcess(component: Component, binaries: BinPaths, state: State): ChildProcess {
  // Appended, with a marker per start: the log of a component that died survives the restart after it.
  const logFile = path.join(logDir(), `${component}.log`);
  if (fs.existsSync(logFile) && fs.statSync(logFile).size > 20 * 1024 * 1024) fs.renameSync(logFile, `${logFile}.old`);
  fs.appendFileSync(logFile, `\n===== ${new Date().toISOString()} start (owner ${state.owner})\n`);
  const out = fs.openSync(logFile, 'a');
  const binary = binaries[component];
  // Detached into its own session: it outlives `npm run cluster -- up`, and `down` stops it by pid.
  const child = spawn(binary, componentArgs(component), { detached: true, stdio: ['ignore', out, out], cwd: clusterDir() });
  fs.closeSync(out);
  child.unref();
  state.pids[component] = child.pid!;
  state.binaries[component] = binary;
  writeState(state);
  return child;
}

const PORT_OF: Partial<Record<Component, number[]>> = {
  etcd: [PORTS.etcdClient, PORTS.etcdPeer],
  'kube-apiserver': [PORTS.apiserver],
  'kube-controller-manager': [PORTS.controllerManager],
  'kube-scheduler': [PORTS.scheduler],
};

async function checkPortsFree(): Promise<void> {
  const busy: string[] = [];
  for (const [component, ports] of Object.entries(PORT_OF)) {
    for (const port of ports ?? []) if (await portOpen(port)) busy.push(`${LOOPBACK}:${port} (${component})`);
  }
  if (busy.length) {
    throw new Error(`cluster: ports already in use: ${busy.join(', ')}. Another cluster (or a stale one) runs: \`npm run cluster -- down\`, or find it with \`ss -ltnp\`.`);
  }
}

async function start(binaries: BinPaths, owner: string): Promise<void> {
  const began = Date.now();
  const phase = (what: string) => log(`${what} (${((Date.now() - began) / 1000).toFixed(1)}s)`);
  await checkPortsFree();
  ensurePki();
  writeKubeconfigs();
  fs.mkdirSync(logDir(), { recursive: true });
  fs.rmSync(etcdDir(), { recursive: true, force: true });
  fs.writeFileSync(path.join(clusterDir(), 'kwok.yaml'), kwokConfig());
  const state: State = { owner, startedAt: new Date().toISOString(), pids: {}, binaries: {} };
  writeState(state);
  const alive = (component: Component) => () => {
    if (!runs(state.pids[component]!, state.binaries[component])) throw new Error(`${component} exited:\n${logTail(component)}`);
  };

  startProcess('etcd', binaries, state);
  await waitFor('etcd healthy', 30_000, async () => {
    alive('etcd')();
    const r = await httpGet(`${ETCD_URL}/health`);
    return r.status === 200 && /"health":\s*"true"/.test(r.body);
  }, 'etcd');

  phase('etcd healthy');
  startProcess('kube-apiserver', binaries, state);
  await waitFor('kube-apiserver /readyz', 90_000, async () => {
    alive('kube-apiserver')();
    return apiserverReady();
  }, 'kube-apiserver');
  phase('kube-apiserver ready');

  const run = (args: string[], input?: string) => kubectl(binaries, args, input);
  run(['apply', '-f', '-'], fakeNodesYaml());
  startProcess('kube-controller-manager', binaries, state);
  startProcess('kube-scheduler', binaries, state);
  startProcess('kwok', binaries, state);
  await installCrds(run);
  phase('CRDs established');
  await waitFor('fake nodes Ready', 60_000, () => {
    for (const c of COMPONENTS) alive(c)();
    const ready = run(['get', 'nodes', '-l', 'type=kwok', '-o', 'jsonpath={range .items[*]}{.status.conditions[?(@.type=="Ready")].status}{"\\n"}{end}']);
    return ready.split('\n').filter((s) => s === 'True').length === FAKE_NODES.length;
  }, 'kwok');
  // Pods need their namespace's ServiceAccount token controller and the root CA ConfigMap publisher.
  await waitFor('the default ServiceAccount', 60_000, () => {
    alive('kube-controller-manager')();
    run(['get', 'serviceaccount', 'default', '-n', 'default']);
    return true;
  }, 'kube-controller-manager');
  await waitFor('kube-controller-manager and kube-scheduler healthy', 30_000, async () => {
    const tls = { ...adminTls(), rejectUnauthorized: false } as never;
    const kcm = await httpGet(`https://${LOOPBACK}:${PORTS.controllerManager}/healthz`, tls);
    const scheduler = await httpGet(`https://${LOOPBACK}:${PORTS.scheduler}/healthz`, tls);
    return kcm.status === 200 && scheduler.status === 200;
  });
}

/** Starts the cluster unless it is up; builds the binaries first if needed. */
export async function up(options: UpOptions = {}): Promise<Cluster> {
  const binaries = await ensureAllBuilt(['kubernetes', 'etcd', 'kwok']);
  return withFileLock(path.join(clusterDir(), 'lock'), 'cluster', async () => {
    if (await isUp()) return { kubeconfig: kubeconfigPath(), binaries, started: false };
    if (readState()) await stopAll();
    const started = Date.now();
    log(`starting etcd, kube-apiserver ${KUBERNETES.version}, kube-controller-manager, kube-scheduler and kwok on ${LOOPBACK} (logs: ${logDir()})`);
    try {
      await start(binaries, options.owner ?? 'cli');
    } catch (err) {
      await stopAll();
      throw err;
    }
    const startSeconds = (Date.now() - started) / 1000;
    log(`up in ${startSeconds.toFixed(1)}s: export KUBECONFIG=${kubeconfigPath()}`);
    return { kubeconfig: kubeconfigPath(), binaries, started: true, startSeconds };
  });
}

/** Stops what state.json names (only processes still running the binary we started), then checks the ports. */
async function stopAll(): Promise<void> {
  const state = readState();
  if (state) {
    const order = [...COMPONENTS].reverse();
    for (const component of order) {
      const pid = state.pids[component];
      if (pid !== undefined && runs(pid, state.binaries[component])) process.kill(pid, 'SIGTERM');
    }
    const deadline = Date.now() + 15_000;
    for (const component of order) {
      const pid = state.pids[component];
      if (pid === undefined) continue;
      while (runs(pid, state.binaries[component]) && Date.now() < deadline) await sleep(100);
      if (runs(pid, state.binaries[component])) process.kill(pid, 'SIGKILL');
    }
    await sleep(100);
    const left = order.filter((c) => state.pids[c] !== undefined && runs(state.pids[c]!, state.binaries[c]));
    if (left.length) throw new Error(`cluster: still running after SIGKILL: ${left.map((c) => `${c} (pid ${state.pids[c]})`).join(', ')}`);
  }
  fs.rmSync(etcdDir(), { recursive: true, force: true });
  fs.rmSync(stateFile(), { force: true });
  const busyDeadline = Date.now() + 10_000;
  for (const ports of Object.values(PORT_OF)) {
    for (const port of ports ?? []) {
      while ((await portOpen(port)) && Date.now() < busyDeadline) await sleep(100);
      if (await portOpen(port)) throw new Error(`cluster: ${LOOPBACK}:${port} is still in use after down`);
    }
  }
}

/** Stops the cluster. With `onlyOwner`, only when that owner started it (a test run leaves a developer's cluster up). */
export async function down(onlyOwner?: string): Promise<boolean> {
  return withFileLock(path.join(clusterDir(), 'lock'), 'cluster', async () => {
    const state = readState();
    if (!state) return false;
    if (onlyOwner !== undefined && state.owner !== onlyOwner) return false;
    await stopAll();
    log('down');
    return true;
  });
}

export function envLine(): string {
  return `export KUBECONFIG=${kubeconfigPath()}`;
}

async function main(command: string | undefined): Promise<void> {
  switch (command) {
    case 'up': {
      const cluster = await up();
      if (!cluster.started) log('already up');
      console.log(envLine());
      return;
    }
    case 'down':
      if (!(await down())) log('not running');
      return;
    case 'env':
      console.log(envLine());
      return;
    default:
      throw new Error('usage: npm run cluster -- up | down | env');
  }
}

if (require.main === module) {
  main(process.argv[2]).catch((err: Error) => {
    console.error(err.message);
    process.exit(1);
  });
}
