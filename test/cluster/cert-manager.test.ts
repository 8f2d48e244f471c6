import { execFileSync, spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { CertManager, requestRenewal, startCertManager } from '../../scripts/cluster/cert-manager';
import { CERT_MANAGER, CRD_SOURCES } from '../../scripts/cluster/versions';
import { IN_CI } from '../support/binaries';
import { CLUSTER_SETUP_TIMEOUT_MS, eventually, expectHelmOk, installChart, useCluster } from '../support/cluster';
import { RELEASE, renderedObjects } from '../support/helm';
import { K8sObject } from '../support/manifests';

/**
 * Issue 16, requirement 5 (the part that needs no real node): the REAL cert-manager controller
 * (scripts/cluster/cert-manager.ts, cert-manager's own controller packages at the pinned version) issues the
 * chart's certificate chain of values/production.yaml — self-signed Issuer → CA Certificate → CA Issuer → the
 * Redis, Sentinel, master-endpoint and client Certificates — and renews a leaf the way `cmctl renew` asks for it.
 * The pods are kwok's (they never run): only the cert-manager objects and Secrets matter here.
 */
const cluster = useCluster();
jest.setTimeout(900_000);

const VALUES = 'values/production.yaml';
const MAJOR = 4;

let ns = '';
let controller: CertManager | undefined;
let objects: K8sObject[] = [];
let issueSeconds = 0;
const work = fs.mkdtempSync(path.join(os.tmpdir(), 'sd-cert-manager-'));

const byKind = (kind: string) => objects.filter((o) => o.kind === kind && o.apiVersion.startsWith('cert-manager.io/'));
const certificates = () => byKind('Certificate');
const condition = (o: any, type: string) => (o.status?.conditions ?? []).find((c: any) => c.type === type);
const ready = (o: any) => condition(o, 'Ready')?.status === 'True';

function secretData(name: string): Record<string, string> | undefined {
  const r = cluster.kubectl(['get', 'secret', name, '-n', ns, '-o', 'json']);
  if (r.status !== 0) return undefined;
  const data = JSON.parse(r.stdout).data ?? {};
  return Object.fromEntries(Object.entries(data).map(([k, v]) => [k, Buffer.from(String(v), 'base64').toString('utf8')]));
}

function writePem(name: string, pem: string): string {
  const file = path.join(work, name);
  fs.writeFileSync(file, pem);
  return file;
}

function openssl(args: string[]): string {
  return execFileSync('openssl', args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
}

/** `openssl verify` of a leaf against a CA file (status and output, so a failure shows why). */
function verify(caFile: string, leafFile: string, extra: string[] = []): { ok: boolean; output: string } {
  const r = spawnSync('openssl', ['verify', '-x509_strict', '-CAfile', caFile, ...extra, leafFile], { encoding: 'utf8' });
  return { ok: r.status === 0, output: `${r.stdout}${r.stderr}`.trim() };
}

const serial = (certFile: string) => openssl(['x509', '-in', certFile, '-noout', '-serial']).trim();

/** The SANs of a certificate file as `DNS:…`/`IP Address:…` entries. */
function subjectAltNames(certFile: string): string[] {
  const text = openssl(['x509', '-in', certFile, '-noout', '-ext', 'subjectAltName']);
  return text.split('\n').slice(1).join(',').split(',').map((s) => s.trim()).filter(Boolean);
}

function failWithState(err: unknown): never {
  const state = cluster.kubectl(['get', 'issuers,certificates,certificaterequests,secrets', '-n', ns, '-o', 'wide']).stdout;
  const events = cluster.kubectl(['get', 'events', '-n', ns, '--field-selector', 'involvedObject.apiVersion=cert-manager.io/v1']).stdout;
  throw new Error(`${(err as Error).message}\n--- ${ns}:\n${state}\n--- events:\n${events}\n--- controller log:\n${controller?.logTail(60) ?? '(not started)'}`);
}

beforeAll(async () => {
  if (!cluster.local) return;
  ns = cluster.namespace('certmgr');
  controller = await startCertManager({ namespace: ns, adminKubeconfig: cluster.kubeconfig });
  const install = await installChart(cluster, { major: MAJOR, namespace: ns, valuesFile: VALUES, wait: false });
  expectHelmOk(cluster, install, ns);
  // The release's objects as Helm installed them (cert-manager's kinds render only where the cluster serves them).
  objects = renderedObjects(cluster.helm(MAJOR, ['get', 'manifest', RELEASE, '-n', ns]));
  expect(certificates().length).toBeGreaterThan(0);
  const began = Date.now();
  try {
    await eventually('every Certificate of the release Ready', () => {
      const found = cluster.json(['get', 'certificates', '-n', ns]).items as any[];
      return found.length === certificates().length && found.every(ready);
    }, 120_000);
  } catch (err) {
    failWithState(err);
  }
  issueSeconds = (Date.now() - began) / 1000;
  console.log(`cert-manager ${CERT_MANAGER.version}: controller up in ${controller.startSeconds.toFixed(1)}s; the chain of ${certificates().length} Certificates issued ${issueSeconds.toFixed(1)}s after helm install`);
  // A cold build of the controller (12 min on 2 cores beside another build) may come first.
}, CLUSTER_SETUP_TIMEOUT_MS);

afterAll(async () => {
  await controller?.stop();
  fs.rmSync(work, { recursive: true, force: true });
});

function localOnly(title: string, body: () => void | Promise<void>): void {
  test(title, async () => {
    if (!cluster.local) {
      const message = `"${title}" runs cert-manager's controller against the local cluster; it does not run against SESSION_DATABASE_KUBECONFIG`;
      if (IN_CI) throw new Error(message);
      console.warn(`\n!!! SKIPPED — ${message}\n`);
      return;
    }
    await body();
  });
}

test('the controller is built from the cert-manager version whose CRDs the cluster installs (versions.ts)', () => {
  const goMod = fs.readFileSync(path.join(__dirname, '..', '..', 'scripts', 'cluster', 'go', 'cert-manager-controller', 'go.mod'), 'utf8');
  const required = goMod.split('\n').map((l) => l.replace(/^require\s+/, '').trim()).filter((l) => l.startsWith(`${CERT_MANAGER.module} `));
  expect(required).toEqual([`${CERT_MANAGER.module} ${CERT_MANAGER.version}`]);
  expect(CRD_SOURCES.find((s) => s.name === 'cert-manager')).toMatchObject(CERT_MANAGER);
});

localOnly('the release renders the self-signed → CA → leaf chain (what the controller is given)', () => {
  const issuers = byKind('Issuer');
  const selfSigned = issuers.find((i) => i.spec.selfSigned);
  const caIssuer = issuers.find((i) => i.spec.ca);
  const ca = certificates().find((c) => c.spec.isCA);
  expect(selfSigned && caIssuer && ca).toBeTruthy();
  expect(ca!.spec.issuerRef.name).toBe(selfSigned!.metadata.name);
  expect(caIssuer!.spec.ca.secretName).toBe(ca!.spec.secretName);
  const leaves = certificates().filter((c) => !c.spec.isCA);
  expect(leaves.length).toBeGreaterThanOrEqual(3);
  for (const leaf of leaves) expect(leaf.spec.issuerRef.name).toBe(caIssuer!.metadata.name);
});

localOnly('the Issuers are Ready and every Certificate is Ready with its Secret (tls.crt, tls.key, ca.crt)', () => {
  for (const issuer of cluster.json(['get', 'issuers', '-n', ns]).items as any[]) expect([issuer.metadata.name, ready(issuer)]).toEqual([issuer.metadata.name, true]);
  for (const certificate of certificates()) {
    const live = cluster.json(['get', 'certificate', certificate.metadata.name, '-n', ns]);
    expect(condition(live, 'Ready')).toMatchObject({ status: 'True', reason: 'Ready' });
    const data = secretData(certificate.spec.secretName);
    expect(Object.keys(data ?? {}).sort()).toEqual(['ca.crt', 'tls.crt', 'tls.key']);
    // The key is the one the Certificate asks for, and it belongs to the certificate.
    const key = writePem(`${certificate.metadata.name}.key`, data!['tls.key']);
    const crt = writePem(`${certificate.metadata.name}.crt`, data!['tls.crt']);
    expect(openssl(['pkey', '-in', key, '-noout', '-text'])).toMatch(certificate.spec.privateKey.algorithm === 'ECDSA' ? /ASN1 OID: prime256v1/ : /Private-Key/);
    expect(openssl(['pkey', '-in', key, '-pubout'])).toBe(openssl(['x509', '-in', crt, '-noout', '-pubkey']));
  }
});

localOnly('the client CA Secret the chart gives clients holds the bootstrapped CA, and every leaf verifies against it', () => {
  const clientConfig = objects.find((o) => o.kind === 'ConfigMap' && o.data?.REDIS_TLS_CA_SECRET)!;
  const clientCa = secretData(clientConfig.data.REDIS_TLS_CA_SECRET)![clientConfig.data.REDIS_TLS_CA_KEY];
  const ca = certificates().find((c) => c.spec.isCA)!;
  const caData = secretData(ca.spec.secretName)!;
  expect(clientCa.trim()).toBe(caData['tls.crt'].trim());
  const caFile = writePem('client-ca.crt', clientCa);
  // The CA: self-signed, CA:TRUE, the chart's common name; verifies against itself.
  expect(openssl(['x509', '-in', caFile, '-noout', '-nameopt', 'RFC2253', '-subject', '-issuer'])).toBe(`subject=CN=${ca.spec.commonName}\nissuer=CN=${ca.spec.commonName}\n`);
  expect(openssl(['x509', '-in', caFile, '-noout', '-ext', 'basicConstraints'])).toMatch(/CA:TRUE/);
  expect(verify(caFile, caFile)).toMatchObject({ ok: true });
  for (const leaf of certificates().filter((c) => !c.spec.isCA)) {
    const crt = writePem(`${leaf.metadata.name}.crt`, secretData(leaf.spec.secretName)!['tls.crt']);
    expect([leaf.metadata.name, verify(caFile, crt)]).toEqual([leaf.metadata.name, { ok: true, output: `${crt}: OK` }]);
  }
});

localOnly('the SANs are exactly the Certificates\' names and cover every name the chart connects to', () => {
  const caFile = writePem('client-ca.crt', secretData(certificates().find((c) => c.spec.isCA)!.spec.secretName)!['tls.crt']);
  const svc = (name: string) => `${name}.${ns}.svc.cluster.local`;
  const statefulSet = (component: string) => objects.find((o) => o.kind === 'StatefulSet' && o.metadata.labels?.['app.kubernetes.io/component'] === component)!;
  const hpa = objects.find((o) => o.kind === 'HorizontalPodAutoscaler');
  const podNames = (component: string, count: number) => {
    const sts = statefulSet(component);
    return Array.from({ length: count }, (_, i) => `${sts.metadata.name}-${i}.${svc(sts.spec.serviceName)}`);
  };
  const clientConfig = objects.find((o) => o.kind === 'ConfigMap' && o.data?.REDIS_TLS_CA_SECRET)!.data;
  // Server name → the purpose it is verified for, per Secret: pods by their headless names (replication,
  // Sentinel links, HAProxy's checks), the Services clients are given (client ConfigMap), every pod the HPA may add.
  const redisPods = podNames('redis', hpa?.spec.maxReplicas ?? statefulSet('redis').spec.replicas);
  const sentinelPods = podNames('sentinel', statefulSet('sentinel').spec.replicas);
  const expected: Record<string, string[]> = {
    [`${statefulSet('redis').metadata.name.replace(/-redis$/, '')}-redis-tls`]: [...redisPods, 'localhost'],
    [`${statefulSet('redis').metadata.name.replace(/-redis$/, '')}-sentinel-tls`]: [...sentinelPods, ...clientConfig.REDIS_SENTINELS.split(',').map((h: string) => h.split(':')[0]), 'localhost'],
    [`${statefulSet('redis').metadata.name.replace(/-redis$/, '')}-master-tls`]: [clientConfig.REDIS_HOST],
  };
  for (const certificate of certificates().filter((c) => !c.spec.isCA)) {
    const crt = writePem(`${certificate.metadata.name}.crt`, secretData(certificate.spec.secretName)!['tls.crt']);
    const sans = subjectAltNames(crt);
    const wanted = [...(certificate.spec.dnsNames ?? []).map((n: string) => `DNS:${n}`), ...(certificate.spec.ipAddresses ?? []).map((ip: string) => `IP Address:${ip}`)];
    expect([certificate.metadata.name, sans.sort()]).toEqual([certificate.metadata.name, wanted.sort()]);
    for (const host of expected[certificate.spec.secretName] ?? []) {
      const check = verify(caFile, crt, ['-purpose', 'sslserver', '-verify_hostname', host]);
      expect([certificate.spec.secretName, host, check]).toEqual([certificate.spec.secretName, host, { ok: true, output: `${crt}: OK` }]);
    }
    // Redis and Sentinel are also TLS clients of each other (replication, Sentinel links): clientAuth too.
    if (/-(redis|sentinel)-tls$/.test(certificate.spec.secretName)) expect(verify(caFile, crt, ['-purpose', 'sslclient'])).toMatchObject({ ok: true });
  }
  // A name outside the chart's is refused: the check above is not vacuous.
  const redisCrt = writePem('redis-leaf.crt', secretData(Object.keys(expected)[0])!['tls.crt']);
  expect(verify(caFile, redisCrt, ['-verify_hostname', `session-database-redis-0.elsewhere.${ns}.svc.cluster.local`]).ok).toBe(false);
});

/**
 * What `cmctl renew` does: the Issuing condition (reason ManuallyTriggered) set through the status subresource.
 * Returns once the Certificate is Ready again at a later revision with a new certificate in its Secret.
 */
async function renew(name: string): Promise<{ before: Record<string, string>; after: Record<string, string>; seconds: number; revision: number }> {
  const live = cluster.json(['get', 'certificate', name, '-n', ns]);
  expect(condition(live, 'Issuing')).toBeUndefined();
  const before = secretData(live.spec.secretName)!;
  const revision = live.status.revision;
  const began = Date.now();
  requestRenewal((args) => cluster.kubectlOk(args), ns, name);
  let after: Record<string, string> | undefined;
  let reached = revision;
  try {
    // A later revision, not exactly the next: at install cert-manager may still be reissuing a leaf whose CA
    // issuer became ready after it (seen in CI: revision 3 where the status had said 1).
    await eventually(`${name} Ready again at a revision after ${revision}`, () => {
      const now = cluster.json(['get', 'certificate', name, '-n', ns]);
      if (!(ready(now) && now.status.revision > revision && !condition(now, 'Issuing'))) return false;
      after = secretData(live.spec.secretName);
      reached = now.status.revision;
      return after && after['tls.crt'] !== before['tls.crt'];
    }, 60_000);
  } catch (err) {
    failWithState(err);
  }
  return { before, after: after!, seconds: (Date.now() - began) / 1000, revision: reached };
}

localOnly('a forced renewal (cmctl renew: Issuing=True, ManuallyTriggered) writes a new certificate and key; the Certificate is Ready again', async () => {
  const leaf = certificates().find((c) => /-redis-tls$/.test(c.spec.secretName))!;
  const name = leaf.metadata.name;
  const { before, after, seconds, revision } = await renew(name);
  console.log(`renewal of ${name}: Ready again with a new certificate ${seconds.toFixed(1)}s after the Issuing condition was set`);
  const oldCrt = writePem('renew-before.crt', before['tls.crt']);
  const newCrt = writePem('renew-after.crt', after['tls.crt']);
  expect(serial(newCrt)).not.toBe(serial(oldCrt));
  // rotationPolicy Always: a new private key too.
  expect(after['tls.key']).not.toBe(before['tls.key']);
  // Signed by the same CA the clients already trust: no client change needed for a leaf renewal.
  expect(after['ca.crt']).toBe(before['ca.crt']);
  expect(verify(writePem('renew-ca.crt', after['ca.crt']), newCrt)).toMatchObject({ ok: true });
  // The CertificateRequest of the renewal was approved and issued by the CA issuer's controller.
  const requests = (cluster.json(['get', 'certificaterequests', '-n', ns]).items as any[]).filter((r) => r.metadata.annotations?.['cert-manager.io/certificate-name'] === name);
  const latest = requests.find((r) => r.metadata.annotations?.['cert-manager.io/certificate-revision'] === String(revision));
  expect(latest && [condition(latest, 'Approved')?.status, condition(latest, 'Ready')?.reason]).toEqual(['True', 'Issued']);
});

localOnly('renewing the bootstrapped CA (cmctl renew --all includes it; cert-manager renews it by itself too) keeps the clients\' trust', async () => {
  // The CA the clients were given (the client CA Secret) before the renewal.
  const clientConfig = objects.find((o) => o.kind === 'ConfigMap' && o.data?.REDIS_TLS_CA_SECRET)!;
  const clientCa = writePem('client-ca-before.crt', secretData(clientConfig.data.REDIS_TLS_CA_SECRET)![clientConfig.data.REDIS_TLS_CA_KEY]);
  const ca = certificates().find((c) => c.spec.isCA)!;
  const caRenewal = await renew(ca.metadata.name);
  console.log(`renewal of the CA ${ca.metadata.name}: ${caRenewal.seconds.toFixed(1)}s`);
  expect(serial(writePem('ca-after.crt', caRenewal.after['tls.crt']))).not.toBe(serial(writePem('ca-before.crt', caRenewal.before['tls.crt'])));
  // The renewed CA keeps its key (rotationPolicy Never): the same CA to everything that verifies with it.
  expect(caRenewal.after['tls.key']).toBe(caRenewal.before['tls.key']);
  // A server certificate issued after the CA renewal (the next scheduled renewal, or a restart's) must still
  // verify against the CA the clients hold: they are not changed by a CA renewal.
  const leaf = certificates().find((c) => /-redis-tls$/.test(c.spec.secretName))!;
  const { after } = await renew(leaf.metadata.name);
  const crt = writePem('leaf-after-ca-renewal.crt', after['tls.crt']);
  expect(verify(clientCa, crt)).toEqual({ ok: true, output: `${crt}: OK` });
  expect(verify(writePem('ca-renewed.crt', caRenewal.after['tls.crt']), crt)).toMatchObject({ ok: true });
});

localOnly('the controller ran with its own identity, and only in its namespace', () => {
  const user = `session-database:cert-manager:${ns}`;
  expect(cluster.kubectlOk(['auth', 'can-i', 'update', 'certificates/status', '-n', ns, '--as', user]).trim()).toBe('yes');
  expect(cluster.kubectl(['auth', 'can-i', 'get', 'secrets', '-n', 'default', '--as', user]).stdout.trim()).toBe('no');
  expect(controller!.logTail(400)).not.toMatch(/forbidden/i);
  expect(issueSeconds).toBeGreaterThan(0);
});
