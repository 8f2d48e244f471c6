/**
 * cert-manager's real controller (scripts/cluster/go/cert-manager-controller, built by build.ts) as a process
 * on this machine, serving one namespace of the local cluster with its own identity:
 *
 * - a client certificate from the cluster CA (scripts/cluster/pki.ts clientKubeconfig) for the user
 *   `session-database:cert-manager:<namespace>`, bound in that namespace only (a RoleBinding to the ClusterRole
 *   below): Issuers, Certificates, CertificateRequests, their status, Secrets and Events;
 * - the CertificateRequest CRD from the same cert-manager module (the cluster installs only the kinds the chart
 *   renders, CRD_SOURCES; the controller also watches CertificateRequests). Where the CRD exists (a cluster with a
 *   real cert-manager) it is left as it is.
 *
 * One controller per namespace: tests that share the cluster each start their own, which never touches another
 * namespace. Used by test/cluster/cert-manager.test.ts and, later, the real node's tests (test/node).
 *
 *   npx tsx scripts/cluster/cert-manager.ts start <namespace>   (runs until Ctrl-C)
 */
import { ChildProcess, spawn, spawnSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { BinPaths, COMPONENTS, ensureAllBuilt } from './build';
import { clusterDir, installCrds, kubeconfigPath } from './cluster';
import { moduleDir } from './gomod';
import { alive } from './lock';
import { APISERVER_URL } from './network';
import { clientKubeconfig } from './pki';
import { CERT_MANAGER } from './versions';

/** The ClusterRole every namespace's controller is bound to (in its namespace only, by a RoleBinding). */
export const CERT_MANAGER_ROLE = 'session-database:cert-manager-controller';
/** The CRDs the controller watches on top of the ones the cluster installs (CRD_SOURCES). */
const CONTROLLER_CRDS = [{ name: 'certificaterequests.cert-manager.io', file: 'cert-manager.io_certificaterequests.yaml' }];

export interface StartOptions {
  /** The namespace it serves (it must exist). */
  namespace: string;
  /** An administrator's kubeconfig of the local cluster (default: the local cluster's), to set up the CRD and RBAC. */
  adminKubeconfig?: string;
  /** klog verbosity of the controller's log (default 2: every issuance is logged). */
  verbosity?: number;
  /** How long to wait for the controller to report that it runs (default 60 s). */
  timeoutMs?: number;
}

export interface CertManager {
  readonly namespace: string;
  readonly pid: number;
  /** The controller's own kubeconfig. */
  readonly kubeconfig: string;
  readonly logFile: string;
  /** Seconds from spawning the process until its control loops ran. */
  readonly startSeconds: number;
  /** The last lines of its log. */
  logTail(lines?: number): string;
  /** Stops the process (SIGTERM, then SIGKILL after 10 s) and removes its kubeconfig; the RoleBinding goes with the namespace. */
  stop(): Promise<void>;
}

const dir = () => path.join(clusterDir(), 'cert-manager');
const pidFile = (namespace: string) => path.join(dir(), `${namespace}.pid`);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function log(message: string): void {
  process.stderr.write(`[cert-manager] ${message}\n`);
}

function userName(namespace: string): string {
  return `session-database:cert-manager:${namespace}`;
}

function tail(file: string, lines = 40): string {
  try {
    return fs.readFileSync(file, 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
  } catch {
    return '(no log)';
  }
}

function kubectl(binaries: BinPaths, kubeconfig: string, args: string[], input?: string): string {
  const r = spawnSync(binaries.kubectl, ['--kubeconfig', kubeconfig, ...args], { input, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  if (r.status !== 0) throw new Error(`kubectl ${args.join(' ')} exited ${r.status}:\n${r.stderr}${r.stdout}`);
  return r.stdout;
}

/** The rights of cert-manager's controller for the SelfSigned and CA issuers, granted per namespace. */
function rbac(namespace: string): object[] {
  const all = ['get', 'list', 'watch', 'create', 'update', 'patch', 'delete'];
  return [
    {
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'ClusterRole',
      metadata: { name: CERT_MANAGER_ROLE },
      rules: [
        { apiGroups: ['cert-manager.io'], resources: ['issuers', 'certificates', 'certificaterequests'], verbs: all },
        { apiGroups: ['cert-manager.io'], resources: ['issuers/status', 'certificates/status', 'certificaterequests/status'], verbs: ['update', 'patch'] },
        { apiGroups: ['cert-manager.io'], resources: ['certificates/finalizers', 'certificaterequests/finalizers'], verbs: ['update'] },
        { apiGroups: [''], resources: ['secrets'], verbs: all },
        { apiGroups: [''], resources: ['events'], verbs: ['create', 'patch'] },
      ],
    },
    {
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'RoleBinding',
      metadata: { name: 'session-database-cert-manager-controller', namespace },
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: CERT_MANAGER_ROLE },
      subjects: [{ apiGroup: 'rbac.authorization.k8s.io', kind: 'User', name: userName(namespace) }],
    },
  ];
}

/** Installs the controller's extra CRDs where the cluster lacks them. */
async function ensureControllerCrds(binaries: BinPaths, admin: string): Promise<void> {
  const missing = CONTROLLER_CRDS.filter((c) => spawnSync(binaries.kubectl, ['--kubeconfig', admin, 'get', 'customresourcedefinition', c.name]).status !== 0);
  if (!missing.length) return;
  const crdDir = path.join(moduleDir(CERT_MANAGER.module, CERT_MANAGER.version), 'deploy', 'crds');
  const files = missing.map((c) => ({ source: `${CERT_MANAGER.module}@${CERT_MANAGER.version}`, file: path.join(crdDir, c.file), names: [c.name] }));
  await installCrds((args) => kubectl(binaries, admin, args), files);
}

/** Stops a controller a previous (killed) run left for this namespace, if its process still runs our binary. */
function stopLeftover(namespace: string, binary: string): void {
  const file = pidFile(namespace);
  if (!fs.existsSync(file)) return;
  const pid = Number(fs.readFileSync(file, 'utf8'));
  try {
    if (pid > 0 && fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0')[0] === binary) {
      log(`stopping the controller a previous run left for ${namespace} (pid ${pid})`);
      process.kill(pid, 'SIGKILL');
    }
  } catch {
    // gone already
  }
  fs.rmSync(file, { force: true });
}

async function stopProcess(child: ChildProcess, pid: number): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  process.kill(pid, 'SIGTERM');
  const done = await Promise.race([exited.then(() => true), sleep(10_000).then(() => false)]);
  if (!done && alive(pid)) {
    process.kill(pid, 'SIGKILL');
    await exited;
  }
}

/** Builds (or reuses) the controller and starts it for one namespace of the local cluster; returns once its control loops run. */
export async function startCertManager(options: StartOptions): Promise<CertManager> {
  const { namespace } = options;
  const admin = options.adminKubeconfig ?? kubeconfigPath();
  const binaries = await ensureAllBuilt(['kubernetes', 'cert-manager-controller']);
  const binary = binaries[COMPONENTS['cert-manager-controller'].binaries[0]];
  fs.mkdirSync(dir(), { recursive: true });
  stopLeftover(namespace, binary);

  await ensureControllerCrds(binaries, admin);
  kubectl(binaries, admin, ['apply', '--server-side', '--field-manager=session-database-cert-manager', '-f', '-'], JSON.stringify({ apiVersion: 'v1', kind: 'List', items: rbac(namespace) }));
  const identity = `cert-manager-${namespace}`;
  const kubeconfig = clientKubeconfig(path.join(clusterDir(), 'pki'), identity, { commonName: userName(namespace) }, APISERVER_URL, path.join(dir(), `${namespace}.kubeconfig`));

  const logFile = path.join(clusterDir(), 'logs', `cert-manager-${namespace}.log`);
  fs.mkdirSync(path.dirname(logFile), { recursive: true });
  const out = fs.openSync(logFile, 'w');
  const began = Date.now();
  const child = spawn(binary, ['--kubeconfig', kubeconfig, '--namespace', namespace, `--v=${options.verbosity ?? 2}`], { stdio: ['ignore', out, out] });
  fs.closeSync(out);
  const pid = child.pid!;
  child.unref();
  fs.writeFileSync(pidFile(namespace), String(pid));
  const stop = async () => {
    await stopProcess(child, pid);
    // The identity goes with the process (a test namespace's name is never used again).
    for (const file of [pidFile(namespace), kubeconfig, ...['crt', 'key'].map((ext) => path.join(clusterDir(), 'pki', `${identity}.${ext}`))]) fs.rmSync(file, { force: true });
  };

  // Running: the log says so and no control loop has failed its cache sync (it would exit).
  const deadline = Date.now() + (options.timeoutMs ?? 60_000);
  for (;;) {
    if (child.exitCode !== null || child.signalCode !== null) {
      await stop();
      throw new Error(`cert-manager controller for ${namespace} exited (${child.exitCode ?? child.signalCode}):\n${tail(logFile)}`);
    }
    if (/cert-manager controller started/.test(fs.readFileSync(logFile, 'utf8'))) break;
    if (Date.now() > deadline) {
      await stop();
      throw new Error(`cert-manager controller for ${namespace} did not start within ${(options.timeoutMs ?? 60_000) / 1000}s:\n${tail(logFile)}`);
    }
    await sleep(200);
  }
  const startSeconds = (Date.now() - began) / 1000;
  log(`controller for ${namespace} runs (pid ${pid}, ${startSeconds.toFixed(1)}s); log ${logFile}`);
  return { namespace, pid, kubeconfig, logFile, startSeconds, logTail: (lines?: number) => tail(logFile, lines), stop };
}

async function main(command: string | undefined, namespace: string | undefined): Promise<void> {
  if (command !== 'start' || !namespace) {
    console.error('usage: npx tsx scripts/cluster/cert-manager.ts start <namespace>   (the local cluster must be up)');
    process.exit(2);
  }
  const controller = await startCertManager({ namespace });
  console.log(`cert-manager controller for ${namespace}: pid ${controller.pid}, log ${controller.logFile}; Ctrl-C stops it`);
  const stop = () => void controller.stop().then(() => process.exit(0));
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
  setInterval(() => undefined, 1 << 30);
}

if (require.main === module) {
  main(process.argv[2], process.argv[3]).catch((err: Error) => {
    console.error(err.message);
    process.exit(1);
  });
}

/**
 * What `cmctl renew` does: the Certificate's Issuing condition set (reason ManuallyTriggered) through the status
 * subresource; the controller then issues a new certificate into the same Secret.
 */
export function requestRenewal(kubectl: (args: string[]) => string, namespace: string, name: string): void {
  const live = JSON.parse(kubectl(['get', 'certificate', name, '-n', namespace, '-o', 'json']));
  const issuing = {
    type: 'Issuing',
    status: 'True',
    reason: 'ManuallyTriggered',
    message: 'Certificate re-issuance manually triggered',
    lastTransitionTime: new Date().toISOString().replace(/\.\d+Z$/, 'Z'),
    observedGeneration: live.metadata.generation,
  };
  kubectl(['patch', 'certificate', name, '-n', namespace, '--subresource=status', '--type=json', '-p', JSON.stringify([{ op: 'add', path: '/status/conditions/-', value: issuing }])]);
}
