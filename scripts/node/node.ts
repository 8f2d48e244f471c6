/**
 * One real Kubernetes node joined to the local cluster (scripts/cluster): containerd + runc, the kubelet,
 * the CNI bridge, all inside the network namespace NODE_NETNS that this script creates and deletes. The
 * node is tainted (NODE_TAINT), so the kwok-based tests never schedule on it; test/node's pods tolerate it.
 *
 *   npx tsx scripts/node/node.ts up | down
 *
 * State, logs and the container runtime's files live in <cache>/node/local/. `down` kills every process the
 * node started (by pid, and every process in the node's cgroups), unmounts what the runtime mounted and
 * deletes the namespace, whatever state `up` reached.
 */
import { ChildProcess, spawn, spawnSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { cacheDir } from '../cache';
import { BinPaths, ensureAllBuilt } from '../cluster/build';
import { clusterDir, kubeconfigPath } from '../cluster/cluster';
import { alive, withFileLock } from '../cluster/lock';
import {
  APISERVER_URL,
  CLUSTER_DNS_IP,
  CLUSTER_DOMAIN,
  KUBELET_PORT,
  LOOPBACK,
  NODE_IP,
  NODE_NAME,
  NODE_NETNS,
  NODE_POD_GATEWAY,
  NODE_POD_SUBNET,
  PORTS,
  SERVICE_CIDR,
} from '../cluster/network';
import { caPaths, clientKubeconfig, issue, kubeconfig } from '../cluster/pki';
import { BuiltImage, ensureAllImages, ImageName } from './images';

/** Pods must tolerate this to run on the real node; nothing else lands there. */
export const NODE_TAINT = { key: 'session-database/real-node', value: 'true', effect: 'NoSchedule' } as const;
export const NODE_LABEL = { key: 'session-database/real-node', value: 'true' } as const;
export const NODE_ZONE = 'zone-real';
/** The kubelet's cgroup parent in every cgroup v1 hierarchy: the node's pods, and nothing else, under it. */
const CGROUP_ROOT = 'session-database-node';
const CNI_BIN_DIR = '/usr/lib/cni';
/** kube-router's health endpoint, on the node's loopback. */
const KUBE_ROUTER_HEALTH_PORT = 20244;

const PROCESSES = ['apiserver-bridge-outside', 'apiserver-bridge-inside', 'containerd', 'kubelet', 'kube-proxy', 'coredns', 'kube-router'] as const;
type NodeProcess = (typeof PROCESSES)[number];

interface State {
  startedAt: string;
  pids: Partial<Record<NodeProcess, number>>;
}

export function nodeDir(): string {
  return cacheDir('node', 'local');
}
const dirs = () => {
  const root = nodeDir();
  return {
    root,
    logs: path.join(root, 'logs'),
    pki: path.join(clusterDir(), 'pki'),
    containerdRoot: path.join(root, 'containerd', 'root'),
    containerdState: path.join(root, 'containerd', 'state'),
    kubelet: path.join(root, 'kubelet'),
    podLogs: path.join(root, 'pods'),
    cniConf: path.join(root, 'cni', 'net.d'),
    cniState: path.join(root, 'cni', 'state'),
    run: path.join(root, 'run'),
  };
};
const containerdSocket = () => path.join(dirs().run, 'containerd.sock');
const apiserverSocket = () => path.join(dirs().run, 'apiserver.sock');
const stateFile = () => path.join(nodeDir(), 'state.json');

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function log(message: string): void {
  process.stderr.write(`[node] ${message}\n`);
}

function sh(cmd: string, args: string[], input?: string): string {
  const r = spawnSync(cmd, args, { encoding: 'utf8', input, maxBuffer: 64 << 20 });
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} exited ${r.status}: ${r.stderr}${r.stdout}`);
  return r.stdout;
}

/** A command inside the node's network namespace (network only: mounts and cgroups stay this machine's). */
export function inNode(cmd: string, args: string[]): [string, string[]] {
  return ['nsenter', [`--net=/run/netns/${NODE_NETNS}`, '--', cmd, ...args]];
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


export function logTail(name: string, lines = 30): string {
  try {
    return fs.readFileSync(path.join(dirs().logs, `${name}.log`), 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
  } catch {
    return '(no log)';
  }
}

function startProcess(name: NodeProcess, cmd: string, args: string[], state: State, env: NodeJS.ProcessEnv = {}): ChildProcess {
  const out = fs.openSync(path.join(dirs().logs, `${name}.log`), 'a');
  // Its own process group: `down` (or the test's afterAll) stops it by pid; it never outlives a run's teardown.
  const child = spawn(cmd, args, { detached: true, stdio: ['ignore', out, out], env: { ...process.env, ...env }, cwd: nodeDir() });
  fs.closeSync(out);
  child.unref();
  state.pids[name] = child.pid!;
  writeState(state);
  return child;
}

async function waitFor(what: string, timeoutMs: number, check: () => boolean | Promise<boolean>, logName?: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let lastError = '';
  while (Date.now() < deadline) {
    try {
      if (await check()) return;
    } catch (err) {
      lastError = (err as Error).message;
    }
    await sleep(250);
  }
  throw new Error(`node: ${what} not reached within ${timeoutMs / 1000}s${lastError ? ` (last error: ${lastError})` : ''}${logName ? `\n--- ${logName}.log:\n${logTail(logName)}` : ''}`);
}

/** A locally administered unicast address (02:…), one per node bridge. */
const NODE_BRIDGE_MAC = '02:5d:b0:00:00:01';

function createNetns(): void {
  sh('ip', ['netns', 'add', NODE_NETNS]);
  const ipn = (...args: string[]) => sh('ip', ['-n', NODE_NETNS, ...args]);
  ipn('link', 'set', 'lo', 'up');
  // The node's address: local inside the namespace only; pods reach it through their bridge gateway.
  ipn('addr', 'add', `${NODE_IP}/32`, 'dev', 'lo');
  // Cluster DNS: CoreDNS runs as a process of the node and answers on the kube-dns Service address itself.
  ipn('addr', 'add', `${CLUSTER_DNS_IP}/32`, 'dev', 'lo');
  // The pods' bridge, made before the CNI plugin would: what the node itself sends to a pod leaves from the
  // node's address (the route's src), as from a real node, so NetworkPolicy firewalls that admit the local
  // node (kube-router does, for probes) see NODE_IP, not the bridge gateway.
  // Its MAC address is fixed: a bridge without one takes the lowest MAC of its ports, so it changed whenever a
  // pod came or went, and every pod's cached gateway address went stale. DNS, Services and the node's probes
  // (all through the gateway) then went nowhere for up to a minute, until each pod asked ARP again.
  ipn('link', 'add', 'cni0', 'address', NODE_BRIDGE_MAC, 'type', 'bridge');
  ipn('addr', 'add', `${NODE_POD_GATEWAY}/${NODE_POD_SUBNET.split('/')[1]}`, 'dev', 'cni0', 'noprefixroute');
  ipn('link', 'set', 'cni0', 'up');
  ipn('route', 'add', NODE_POD_SUBNET, 'dev', 'cni0', 'src', NODE_IP);
  const sysctl = (key: string, value: string) => sh(...inNode('sysctl', ['-qw', `${key}=${value}`]));
  sysctl('net.ipv4.ip_forward', '1');
  // Services from a pod to a pod on the same bridge, and NetworkPolicies between them: kube-proxy's and
  // kube-router's rules must see bridged traffic.
  sysctl('net.bridge.bridge-nf-call-iptables', '1');
}

function cgroupHierarchies(): string[] {
  return fs
    .readdirSync('/sys/fs/cgroup')
    .map((d) => path.join('/sys/fs/cgroup', d))
    .filter((d) => fs.existsSync(path.join(d, 'cgroup.procs')) && !fs.lstatSync(d).isSymbolicLink());
}

function createCgroupRoot(): void {
  for (const hierarchy of cgroupHierarchies()) fs.mkdirSync(path.join(hierarchy, CGROUP_ROOT), { recursive: true });
}

function containerdConfig(binaries: BinPaths, sandbox: BuiltImage): string {
  const d = dirs();
  return `version = 3
root = "${d.containerdRoot}"
state = "${d.containerdState}"

[grpc]
  address = "${containerdSocket()}"

[ttrpc]
  address = "${containerdSocket()}.ttrpc"

[plugins.'io.containerd.cri.v1.images']
  snapshotter = "overlayfs"
  # Nothing can be pulled: every image is imported (scripts/node/images.ts).
  [plugins.'io.containerd.cri.v1.images'.pinned_images]
    sandbox = "${sandbox.ref}"

[plugins.'io.containerd.cri.v1.runtime']
  enable_selinux = false
  # The machines withhold CAP_SYS_RESOURCE: an oom_score_adj below containerd's own (0) is refused, so the
  # sandbox's -998 and Guaranteed pods' -997 are raised to it instead of failing the pod.
  restrict_oom_score_adj = true
  # The pods' network namespaces under the node's folder (not /run/netns): down unmounts them with the rest.
  netns_mounts_under_state_dir = true
  [plugins.'io.containerd.cri.v1.runtime'.cni]
    bin_dirs = ["${CNI_BIN_DIR}"]
    conf_dir = "${d.cniConf}"
  [plugins.'io.containerd.cri.v1.runtime'.containerd]
    default_runtime_name = "runc"
    [plugins.'io.containerd.cri.v1.runtime'.containerd.runtimes.runc]
      runtime_type = "io.containerd.runc.v2"
      [plugins.'io.containerd.cri.v1.runtime'.containerd.runtimes.runc.options]
        BinaryName = "${binaries.runc}"
        # The machines mount cgroup v1 without systemd as init: cgroupfs, as the kubelet.
        SystemdCgroup = false

[plugins.'io.containerd.grpc.v1.cri']
  disable_tcp_service = true
`;
}

function cniConfig(): string {
  return JSON.stringify(
    {
      cniVersion: '1.0.0',
      name: 'session-database-node',
      plugins: [
        {
          type: 'bridge',
          bridge: 'cni0',
          isGateway: true,
          // Nothing leaves the namespace: no masquerade, no route off it.
          ipMasq: false,
          hairpinMode: true,
          ipam: { type: 'host-local', ranges: [[{ subnet: NODE_POD_SUBNET, gateway: NODE_POD_GATEWAY }]], routes: [{ dst: '0.0.0.0/0' }], dataDir: dirs().cniState },
        },
        { type: 'portmap', capabilities: { portMappings: true } },
      ],
    },
    null,
    2,
  );
}

function kubeletConfig(): string {
  const d = dirs();
  return `apiVersion: kubelet.config.k8s.io/v1beta1
kind: KubeletConfiguration
# The machines mount cgroup v1; kubelet 1.35 refuses it unless told.
failCgroupV1: false
cgroupDriver: cgroupfs
cgroupRoot: /${CGROUP_ROOT}
containerRuntimeEndpoint: unix://${containerdSocket()}
address: ${NODE_IP}
port: ${KUBELET_PORT}
readOnlyPort: 0
healthzBindAddress: ${LOOPBACK}
healthzPort: 10248
tlsCertFile: ${path.join(d.pki, `kubelet-${NODE_NAME}.crt`)}
tlsPrivateKeyFile: ${path.join(d.pki, `kubelet-${NODE_NAME}.key`)}
authentication:
  anonymous: { enabled: false }
  webhook: { enabled: false }
  x509: { clientCAFile: ${caPaths(d.pki).cert} }
authorization:
  mode: AlwaysAllow
clusterDomain: ${CLUSTER_DOMAIN}
clusterDNS: [${CLUSTER_DNS_IP}]
resolvConf: ${path.join(d.root, 'resolv.conf')}
registerWithTaints:
  - { key: ${NODE_TAINT.key}, value: "${NODE_TAINT.value}", effect: ${NODE_TAINT.effect} }
failSwapOn: false
# A shared test machine: evict nothing for disk or memory pressure of other work.
evictionHard: { memory.available: "50Mi", nodefs.available: "1%", nodefs.inodesFree: "1%", imagefs.available: "1%" }
# The images cannot be pulled again: never collect them.
imageGCHighThresholdPercent: 100
imageGCLowThresholdPercent: 99
podLogsDir: ${d.podLogs}
serializeImagePulls: false
nodeStatusReportFrequency: 10s
`;
}

function corefile(): string {
  // The API server through the bridge, with the admin identity of this throwaway cluster; short TTLs so a
  // failover's new addresses are seen at once. No forwarder: nothing outside the cluster is resolved.
  return `.:53 {
    bind ${CLUSTER_DNS_IP}
    errors
    health ${LOOPBACK}:18080
    ready ${LOOPBACK}:18181
    kubernetes ${CLUSTER_DOMAIN} in-addr.arpa ip6.arpa {
        kubeconfig ${kubeconfigPath()} session-database-local
        pods insecure
        fallthrough in-addr.arpa ip6.arpa
        ttl 5
    }
    cache 5
}
`;
}

function kubeProxyConfig(kubeconfig: string): string {
  return `apiVersion: kubeproxy.config.k8s.io/v1alpha1
kind: KubeProxyConfiguration
mode: nftables
hostnameOverride: ${NODE_NAME}
clusterCIDR: ${NODE_POD_SUBNET}
detectLocalMode: ClusterCIDR
clientConnection:
  kubeconfig: ${kubeconfig}
metricsBindAddress: ${LOOPBACK}:10249
healthzBindAddress: ${LOOPBACK}:10256
# conntrack limits are this machine's (not per namespace): leave them alone.
conntrack:
  maxPerCore: 0
  min: 0
  tcpEstablishedTimeout: 0s
  tcpCloseWaitTimeout: 0s
`;
}

/** A client kubeconfig for a node component, its certificate issued by the cluster CA. */
function componentKubeconfig(name: string, commonName: string): string {
  const d = dirs();
  return clientKubeconfig(d.pki, name, { commonName }, APISERVER_URL, path.join(d.root, `${name}.kubeconfig`));
}

function writeNodePki(): string {
  const d = dirs();
  issue(d.pki, `kubelet-${NODE_NAME}`, { subject: { commonName: `system:node:${NODE_NAME}`, organization: 'system:nodes' }, usage: 'server+client', dnsNames: [NODE_NAME], ipAddresses: [NODE_IP] });
  // The kubelet reaches the API server through the bridge's 127.0.0.1 inside the namespace: same URL.
  const file = path.join(d.root, 'kubelet.kubeconfig');
  fs.writeFileSync(file, kubeconfig(d.pki, `kubelet-${NODE_NAME}`, APISERVER_URL), { mode: 0o600 });
  return file;
}

function ctr(binaries: BinPaths, args: string[]): string {
  return sh(binaries.ctr, ['--address', containerdSocket(), '--namespace', 'k8s.io', ...args]);
}

function importImages(binaries: BinPaths, images: Record<ImageName, BuiltImage>): void {
  for (const image of Object.values(images)) ctr(binaries, ['images', 'import', '--platform', 'linux/amd64', image.tarball]);
}

function kubectl(args: string[], input?: string): string {
  return sh(kubectlPath(), ['--kubeconfig', kubeconfigPath(), ...args], input);
}
let kubectlBinary = '';
function kubectlPath(): string {
  return kubectlBinary;
}

export interface RealNode {
  name: string;
  images: Record<ImageName, BuiltImage>;
  binaries: BinPaths;
  startSeconds: number;
}

async function start(binaries: BinPaths, images: Record<ImageName, BuiltImage>): Promise<void> {
  const d = dirs();
  const began = Date.now();
  const phase = (what: string) => log(`${what} (${((Date.now() - began) / 1000).toFixed(1)}s)`);
  fs.rmSync(d.podLogs, { recursive: true, force: true });
  for (const dir of [d.logs, d.containerdRoot, d.containerdState, d.kubelet, d.podLogs, d.cniConf, d.cniState, d.run]) fs.mkdirSync(dir, { recursive: true });
  fs.writeFileSync(path.join(d.root, 'resolv.conf'), 'options ndots:5\n');
  fs.writeFileSync(path.join(d.root, 'containerd.toml'), containerdConfig(binaries, images.pause));
  fs.writeFileSync(path.join(d.cniConf, '10-session-database.conflist'), cniConfig());
  fs.writeFileSync(path.join(d.root, 'kubelet.yaml'), kubeletConfig());
  const kubeletKubeconfig = writeNodePki();
  const state: State = { startedAt: new Date().toISOString(), pids: {} };
  writeState(state);

  createNetns();
  createCgroupRoot();
  const tsx = path.join(__dirname, '..', '..', 'node_modules', '.bin', 'tsx');
  const bridge = path.join(__dirname, 'socket-bridge.ts');
  startProcess('apiserver-bridge-outside', tsx, [bridge, `unix:${apiserverSocket()}`, `tcp:${LOOPBACK}:${PORTS.apiserver}`], state);
  await waitFor('the API server bridge socket', 20_000, () => fs.existsSync(apiserverSocket()), 'apiserver-bridge-outside');
  startProcess('apiserver-bridge-inside', ...inNode(tsx, [bridge, `tcp:${LOOPBACK}:${PORTS.apiserver}`, `unix:${apiserverSocket()}`]), state);
  phase('network namespace and API server bridge');

  // containerd finds its shim on PATH.
  const runtimePath = `${path.dirname(binaries.containerd)}:${path.dirname(binaries.runc)}:${process.env.PATH}`;
  startProcess('containerd', ...inNode(binaries.containerd, ['--config', path.join(d.root, 'containerd.toml')]), state, { PATH: runtimePath });
  await waitFor('containerd serving', 30_000, () => {
    if (!alive(state.pids.containerd!)) throw new Error('containerd exited');
    ctr(binaries, ['version']);
    return true;
  }, 'containerd');
  importImages(binaries, images);
  phase('containerd up, images imported');

  startProcess(
    'kubelet',
    ...inNode(binaries.kubelet, [
      `--config=${path.join(d.root, 'kubelet.yaml')}`,
      `--kubeconfig=${kubeletKubeconfig}`,
      `--root-dir=${d.kubelet}`,
      `--hostname-override=${NODE_NAME}`,
      `--node-ip=${NODE_IP}`,
      // A zone of its own: the chart's zone spread needs the label on every node it may use.
      `--node-labels=${NODE_LABEL.key}=${NODE_LABEL.value},topology.kubernetes.io/zone=${NODE_ZONE},topology.kubernetes.io/region=local`,
      '--v=1',
    ]),
    state,
    { PATH: runtimePath },
  );
  await waitFor('the node Ready', 120_000, () => {
    if (!alive(state.pids.kubelet!)) throw new Error('kubelet exited');
    const ready = kubectl(['get', 'node', NODE_NAME, '-o', 'jsonpath={.status.conditions[?(@.type=="Ready")].status}']);
    return ready === 'True';
  }, 'kubelet');
  phase('node Ready');

  // The default ClusterRole binding of system:node-proxier names the user system:kube-proxy.
  const proxyKubeconfig = componentKubeconfig('kube-proxy', 'system:kube-proxy');
  fs.writeFileSync(path.join(d.root, 'kube-proxy.yaml'), kubeProxyConfig(proxyKubeconfig));
  startProcess('kube-proxy', ...inNode(binaries['kube-proxy'], [`--config=${path.join(d.root, 'kube-proxy.yaml')}`, '--v=1']), state);
  fs.writeFileSync(path.join(d.root, 'Corefile'), corefile());
  startProcess('coredns', ...inNode(binaries.coredns, ['-conf', path.join(d.root, 'Corefile')]), state);
  await waitFor('CoreDNS ready', 30_000, () => {
    if (!alive(state.pids.coredns!)) throw new Error('coredns exited');
    return /200/.test(sh(...inNode('curl', ['-s', '-o', '/dev/null', '-w', '%{http_code}', `http://${LOOPBACK}:18181/ready`])));
  }, 'coredns');
  await waitFor('kube-proxy healthy', 30_000, () => {
    if (!alive(state.pids['kube-proxy']!)) throw new Error('kube-proxy exited');
    return /200/.test(sh(...inNode('curl', ['-s', '-o', '/dev/null', '-w', '%{http_code}', `http://${LOOPBACK}:10256/healthz`])));
  }, 'kube-proxy');
  phase('kube-proxy and CoreDNS ready');

  await startNetworkPolicyFirewall(binaries, state);
  phase('NetworkPolicies enforced (kube-router firewall)');
}

/** What kube-router's firewall reads: pods, namespaces, policies, its node, and the informers it opens for services. */
const KUBE_ROUTER_RBAC = {
  apiVersion: 'v1',
  kind: 'List',
  items: [
    {
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'ClusterRole',
      metadata: { name: 'session-database:kube-router' },
      rules: [
        { apiGroups: [''], resources: ['namespaces', 'pods', 'services', 'nodes', 'endpoints'], verbs: ['get', 'list', 'watch'] },
        { apiGroups: ['networking.k8s.io'], resources: ['networkpolicies'], verbs: ['get', 'list', 'watch'] },
        { apiGroups: ['discovery.k8s.io'], resources: ['endpointslices'], verbs: ['get', 'list', 'watch'] },
      ],
    },
    {
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'ClusterRoleBinding',
      metadata: { name: 'session-database:kube-router' },
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'session-database:kube-router' },
      subjects: [{ apiGroup: 'rbac.authorization.k8s.io', kind: 'User', name: 'system:kube-router' }],
    },
  ],
};

/**
 * kube-router with only its firewall (no router, no service proxy, no CNI): it turns every NetworkPolicy into
 * iptables rules and ipsets for the pods of this node, so the chart's policies are enforced, not just accepted.
 */
async function startNetworkPolicyFirewall(binaries: BinPaths, state: State): Promise<void> {
  kubectl(['apply', '-f', '-'], JSON.stringify(KUBE_ROUTER_RBAC));
  const kubeconfig = componentKubeconfig('kube-router', 'system:kube-router');
  startProcess('kube-router', ...inNode(binaries['kube-router'], [
    `--kubeconfig=${kubeconfig}`,
    `--hostname-override=${NODE_NAME}`,
    '--run-firewall=true',
    '--run-router=false',
    '--run-service-proxy=false',
    '--enable-cni=false',
    '--enable-ipv4=true',
    '--enable-ipv6=false',
    `--service-cluster-ip-range=${SERVICE_CIDR}`,
    `--health-port=${KUBE_ROUTER_HEALTH_PORT}`,
    '--metrics-port=0',
    // A policy change reaches the rules at once (informer events); the periodic resync only repairs.
    '--iptables-sync-period=1m',
    '--v=1',
  ]), state);
  await waitFor('kube-router firewall healthy and its chains installed', 60_000, () => {
    if (!alive(state.pids['kube-router']!)) throw new Error('kube-router exited');
    const healthy = /200/.test(sh(...inNode('curl', ['-s', '-o', '/dev/null', '-w', '%{http_code}', `http://${LOOPBACK}:${KUBE_ROUTER_HEALTH_PORT}/healthz`])));
    return healthy && sh(...inNode('iptables-save', ['-t', 'filter'])).includes(':KUBE-ROUTER-FORWARD');
  }, 'kube-router');
}

/** Starts the node (the cluster must be up); any failure stops what was started. */
export async function up(): Promise<RealNode> {
  const binaries = await ensureAllBuilt(['kubernetes', 'containerd', 'runc', 'coredns', 'kube-router']);
  kubectlBinary = binaries.kubectl;
  shimPaths = [binaries['containerd-shim-runc-v2']];
  const images = await ensureAllImages();
  return withFileLock(path.join(nodeDir(), 'lock'), 'node', async () => {
    await stopAll();
    const began = Date.now();
    try {
      await start(binaries, images);
    } catch (err) {
      await stopAll();
      throw err;
    }
    return { name: NODE_NAME, images, binaries, startSeconds: (Date.now() - began) / 1000 };
  });
}

function cgroupPids(): number[] {
  const pids: number[] = [];
  const walk = (dir: string) => {
    if (!fs.existsSync(dir)) return;
    for (const line of fs.readFileSync(path.join(dir, 'cgroup.procs'), 'utf8').split('\n')) if (line) pids.push(Number(line));
    for (const entry of fs.readdirSync(dir, { withFileTypes: true })) if (entry.isDirectory()) walk(path.join(dir, entry.name));
  };
  for (const hierarchy of cgroupHierarchies()) walk(path.join(hierarchy, CGROUP_ROOT));
  return [...new Set(pids)];
}

/** containerd's shims run outside the pods' cgroups: found by their binary in our cache. */
function processesOf(binary: string): number[] {
  const pids: number[] = [];
  for (const entry of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      if (fs.readlinkSync(`/proc/${entry}/exe`) === binary) pids.push(Number(entry));
    } catch {
      /* gone, or a kernel thread */
    }
  }
  return pids;
}

function removeCgroups(): void {
  const remove = (dir: string) => {
    if (!fs.existsSync(dir)) return;
    for (const entry of fs.readdirSync(dir, { withFileTypes: true })) if (entry.isDirectory()) remove(path.join(dir, entry.name));
    try {
      fs.rmdirSync(dir);
    } catch {
      /* reported by the caller's check */
    }
  };
  for (const hierarchy of cgroupHierarchies()) remove(path.join(hierarchy, CGROUP_ROOT));
}

/** Every mount under the node's folder (container root filesystems, pod volumes), deepest first. */
function unmountAll(): void {
  const root = nodeDir();
  const mounts = fs
    .readFileSync('/proc/self/mountinfo', 'utf8')
    .split('\n')
    .map((l) => l.split(' ')[4])
    .filter((m) => m && (m === root || m.startsWith(root + '/')))
    .sort((a, b) => b.length - a.length);
  for (const m of mounts) spawnSync('umount', ['-l', m]);
}

async function stopAll(): Promise<void> {
  const state = readState();
  if (state) {
    for (const name of [...PROCESSES].reverse()) {
      const pid = state.pids[name];
      if (pid !== undefined && alive(pid)) process.kill(-pid, 'SIGTERM');
    }
    const deadline = Date.now() + 10_000;
    for (const name of PROCESSES) {
      const pid = state.pids[name];
      if (pid === undefined) continue;
      while (alive(pid) && Date.now() < deadline) await sleep(100);
      if (alive(pid)) process.kill(-pid, 'SIGKILL');
    }
  }
  // The pods' processes and the runtime's shims do not belong to the process groups above.
  for (let round = 0; round < 20; round++) {
    const left = [...cgroupPids(), ...shimBinaries().flatMap(processesOf)];
    if (!left.length) break;
    for (const pid of left) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        /* already gone */
      }
    }
    await sleep(200);
  }
  unmountAll();
  removeCgroups();
  if (fs.existsSync(`/run/netns/${NODE_NETNS}`)) spawnSync('ip', ['netns', 'delete', NODE_NETNS]);
  if (kubectlBinary && fs.existsSync(kubeconfigPath())) spawnSync(kubectlBinary, ['--kubeconfig', kubeconfigPath(), 'delete', 'node', NODE_NAME, '--ignore-not-found', '--wait=false']);
  const d = dirs();
  // The pods' logs stay until the next start, for a failed run's reader.
  // The tests' pre-provisioned volumes (test/node/support.ts) go with the node.
  for (const dir of [d.containerdRoot, d.containerdState, d.kubelet, d.cniState, d.run, path.join(d.root, 'volumes')]) fs.rmSync(dir, { recursive: true, force: true });
  fs.rmSync(stateFile(), { force: true });
  const left = cgroupPids();
  if (left.length) throw new Error(`node: processes still in the node's cgroups after SIGKILL: ${left.join(', ')}`);
}

let shimPaths: string[] = [];
function shimBinaries(): string[] {
  return shimPaths;
}

/** Stops the node, whatever state it is in; safe to call when nothing runs. */
export async function down(): Promise<void> {
  if (!kubectlBinary || !shimPaths.length) {
    const binaries = await ensureAllBuilt(['kubernetes', 'containerd']);
    kubectlBinary = binaries.kubectl;
    shimPaths = [binaries['containerd-shim-runc-v2']];
  }
  await withFileLock(path.join(nodeDir(), 'lock'), 'node', stopAll);
}

if (require.main === module) {
  const command = process.argv[2];
  const main = command === 'up' ? up().then((n) => log(`up in ${n.startSeconds.toFixed(1)}s`)) : command === 'down' ? down() : Promise.reject(new Error('usage: tsx scripts/node/node.ts up | down'));
  main.catch((err: Error) => {
    console.error(err.message);
    process.exit(1);
  });
}
