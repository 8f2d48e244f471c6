/**
 * The local cluster's certificates and service-account keys, made with openssl (ECDSA P-256: fast to
 * generate, accepted by every component). One CA signs the API server's serving certificate and one
 * client certificate per component; `issue()` is exported so the real node can add its kubelet's.
 */
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { CLUSTER_DOMAIN, KUBERNETES_SERVICE_IP, LOOPBACK } from './network';

const DAYS = '365';

export interface Subject {
  commonName: string;
  organization?: string;
}

export interface IssueOptions {
  subject: Subject;
  usage: 'server' | 'client' | 'server+client';
  dnsNames?: readonly string[];
  ipAddresses?: readonly string[];
}

function openssl(args: string[], cwd: string): void {
  execFileSync('openssl', args, { cwd, stdio: ['ignore', 'ignore', 'pipe'] });
}

function subjectLine(subject: Subject): string {
  return `/CN=${subject.commonName}${subject.organization ? `/O=${subject.organization}` : ''}`;
}

export function caPaths(dir: string) {
  return { cert: path.join(dir, 'ca.crt'), key: path.join(dir, 'ca.key') };
}

/** `<dir>/<name>.crt` and `.key`, signed by the CA in dir. */
export function issue(dir: string, name: string, options: IssueOptions): { cert: string; key: string } {
  const ca = caPaths(dir);
  const cert = path.join(dir, `${name}.crt`);
  const key = path.join(dir, `${name}.key`);
  const usages = { server: 'serverAuth', client: 'clientAuth', 'server+client': 'serverAuth,clientAuth' }[options.usage];
  const sans = [...(options.dnsNames ?? []).map((d) => `DNS:${d}`), ...(options.ipAddresses ?? []).map((ip) => `IP:${ip}`)];
  const ext = [
    'basicConstraints=critical,CA:FALSE',
    'keyUsage=critical,digitalSignature,keyEncipherment',
    `extendedKeyUsage=${usages}`,
    ...(sans.length ? [`subjectAltName=${sans.join(',')}`] : []),
  ].join('\n');
  const extFile = path.join(dir, `${name}.ext`);
  fs.writeFileSync(extFile, ext + '\n');
  openssl(['ecparam', '-name', 'prime256v1', '-genkey', '-noout', '-out', key], dir);
  openssl(['req', '-new', '-key', key, '-subj', subjectLine(options.subject), '-out', `${name}.csr`], dir);
  openssl(['x509', '-req', '-in', `${name}.csr`, '-CA', ca.cert, '-CAkey', ca.key, '-CAcreateserial', '-days', DAYS, '-sha256', '-extfile', extFile, '-out', cert], dir);
  fs.rmSync(path.join(dir, `${name}.csr`));
  fs.rmSync(extFile);
  fs.chmodSync(key, 0o600);
  return { cert, key };
}

/** The client identities of the control plane (RBAC binds the system: names by default). */
export const CLIENTS = {
  admin: { commonName: 'session-database-admin', organization: 'system:masters' },
  'kube-controller-manager': { commonName: 'system:kube-controller-manager' },
  'kube-scheduler': { commonName: 'system:kube-scheduler' },
  // kwok writes node and pod status, leases and events for every fake node: an admin of this test cluster.
  kwok: { commonName: 'kwok-controller', organization: 'system:masters' },
  // The API server's identity towards kubelets (logs, exec) on the real node.
  'apiserver-kubelet-client': { commonName: 'kube-apiserver-kubelet-client', organization: 'system:masters' },
} as const satisfies Record<string, Subject>;
export type ClientName = keyof typeof CLIENTS;

/** Writes a fresh CA, the API server certificate, the clients' certificates and the service-account key pair. */
export function createPki(dir: string): void {
  fs.rmSync(dir, { recursive: true, force: true });
  fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
  const ca = caPaths(dir);
  openssl(['ecparam', '-name', 'prime256v1', '-genkey', '-noout', '-out', ca.key], dir);
  openssl(['req', '-x509', '-new', '-key', ca.key, '-subj', '/CN=session-database-local-ca', '-days', DAYS, '-sha256',
    '-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign,cRLSign,digitalSignature', '-out', ca.cert], dir);
  issue(dir, 'apiserver', {
    subject: { commonName: 'kube-apiserver' },
    usage: 'server',
    dnsNames: ['localhost', 'kubernetes', 'kubernetes.default', 'kubernetes.default.svc', `kubernetes.default.svc.${CLUSTER_DOMAIN}`],
    ipAddresses: [LOOPBACK, KUBERNETES_SERVICE_IP],
  });
  for (const [name, subject] of Object.entries(CLIENTS)) issue(dir, name, { subject, usage: 'client' });
  openssl(['ecparam', '-name', 'prime256v1', '-genkey', '-noout', '-out', 'service-account.key'], dir);
  openssl(['ec', '-in', 'service-account.key', '-pubout', '-out', 'service-account.pub'], dir);
}

/**
 * A kubeconfig for one client identity, with the certificates embedded (so it can be copied anywhere): one of
 * CLIENTS, or any name whose `<name>.crt`/`.key` `issue()` wrote into dir.
 */
export function kubeconfig(dir: string, client: ClientName | string, server: string): string {
  const b64 = (file: string) => fs.readFileSync(file).toString('base64');
  return [
    'apiVersion: v1',
    'kind: Config',
    'clusters:',
    '- name: session-database-local',
    '  cluster:',
    `    server: ${server}`,
    `    certificate-authority-data: ${b64(caPaths(dir).cert)}`,
    'users:',
    `- name: ${client}`,
    '  user:',
    `    client-certificate-data: ${b64(path.join(dir, `${client}.crt`))}`,
    `    client-key-data: ${b64(path.join(dir, `${client}.key`))}`,
    'contexts:',
    '- name: session-database-local',
    '  context:',
    '    cluster: session-database-local',
    `    user: ${client}`,
    'current-context: session-database-local',
    '',
  ].join('\n');
}

/**
 * A component's own identity: issues `<name>.crt`/`.key` for subject in dir (the cluster CA's folder) and writes
 * a kubeconfig with them to file (mode 0600); returns file. RBAC then binds what the subject may do.
 */
export function clientKubeconfig(dir: string, name: string, subject: Subject, server: string, file: string): string {
  issue(dir, name, { subject, usage: 'client' });
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, kubeconfig(dir, name, server), { mode: 0o600 });
  return file;
}
