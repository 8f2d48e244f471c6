/**
 * cert-manager stand-in for the live tests: a CA made with `openssl` in the test that
 * issues the manifests' own cert-manager Certificates and lays each one out the way
 * cert-manager fills the Certificate's Secret (tls.crt, tls.key, ca.crt).
 *
 * What the Certificate asks for is honoured: commonName, dnsNames, ipAddresses, usages,
 * privateKey (algorithm, size, encoding) and duration. The one fixture is addressing:
 * in the cluster a client reaches a pod by its DNS name, here by a loopback address, so
 * for every fixture host (DNS name → address) that one of the Certificate's dnsNames
 * covers (wildcards as TLS matches them: one label), the address joins the SANs.
 */
import { execFileSync } from 'child_process';
import * as crypto from 'crypto';
import * as fs from 'fs';
import * as path from 'path';
import { K8sObject } from './manifests';

export interface CertificateAuthority {
  readonly certFile: string;
  readonly keyFile: string;
  /** PEM of the CA certificate. */
  readonly cert: string;
}

/** The files of a cert-manager Certificate Secret. */
export type TlsSecretData = Record<'tls.crt' | 'tls.key' | 'ca.crt', string>;

function openssl(args: string[], cwd: string): void {
  execFileSync('openssl', args, { cwd, timeout: 20000, stdio: ['ignore', 'pipe', 'pipe'] });
}

const REQ_CONFIG = ['[req]', 'distinguished_name = dn', 'prompt = no', '[dn]', '[ca]', 'basicConstraints = critical,CA:TRUE', 'keyUsage = critical,keyCertSign,cRLSign,digitalSignature', 'subjectKeyIdentifier = hash', ''].join('\n');

/** openssl -newkey options of a cert-manager privateKey spec. */
function keyOptions(privateKey: { algorithm?: string; size?: number } = {}): string[] {
  const algorithm = privateKey.algorithm ?? 'RSA';
  if (algorithm === 'ECDSA') {
    const curve = { 256: 'prime256v1', 384: 'secp384r1', 521: 'secp521r1' }[privateKey.size ?? 256];
    if (!curve) throw new Error(`ECDSA size ${privateKey.size} is not one cert-manager supports`);
    return ['-newkey', 'ec', '-pkeyopt', `ec_paramgen_curve:${curve}`];
  }
  if (algorithm === 'RSA') return ['-newkey', `rsa:${privateKey.size ?? 2048}`];
  if (algorithm === 'Ed25519') return ['-newkey', 'ed25519'];
  throw new Error(`privateKey.algorithm ${algorithm} is unknown`);
}

/** Days a Go duration (cert-manager's duration, e.g. 2160h) lasts, at least 1. */
function days(duration: string | undefined, fallbackDays: number): number {
  if (!duration) return fallbackDays;
  let seconds = 0;
  for (const [, n, unit] of duration.matchAll(/([0-9.]+)(h|m|s)/g)) seconds += Number(n) * { h: 3600, m: 60, s: 1 }[unit as 'h' | 'm' | 's'];
  return Math.max(1, Math.ceil(seconds / 86400));
}

/** A self-signed CA (ECDSA P-256 like the bootstrapped one) in dir. */
export function makeCa(dir: string, commonName = 'test-ca', privateKey: { algorithm?: string; size?: number } = { algorithm: 'ECDSA', size: 256 }): CertificateAuthority {
  fs.mkdirSync(dir, { recursive: true });
  fs.writeFileSync(path.join(dir, 'openssl.cnf'), REQ_CONFIG);
  openssl(['req', '-x509', '-config', 'openssl.cnf', '-extensions', 'ca', ...keyOptions(privateKey), '-nodes', '-subj', `/CN=${commonName}`, '-days', '2', '-keyout', 'ca.key', '-out', 'ca.crt'], dir);
  return { certFile: path.join(dir, 'ca.crt'), keyFile: path.join(dir, 'ca.key'), cert: fs.readFileSync(path.join(dir, 'ca.crt'), 'utf8') };
}

/** Whether a certificate name (possibly a one-label wildcard) covers a host name. */
export function nameCovers(pattern: string, host: string): boolean {
  const p = pattern.toLowerCase();
  const h = host.toLowerCase();
  if (!p.startsWith('*.')) return p === h;
  const dot = h.indexOf('.');
  return dot > 0 && h.slice(dot + 1) === p.slice(2);
}

const KEY_USAGES: Record<string, string> = {
  'digital signature': 'digitalSignature',
  'key encipherment': 'keyEncipherment',
  'content commitment': 'nonRepudiation',
  'key agreement': 'keyAgreement',
  'cert sign': 'keyCertSign',
  'crl sign': 'cRLSign',
};
const EXTENDED_USAGES: Record<string, string> = {
  'server auth': 'serverAuth',
  'client auth': 'clientAuth',
  'code signing': 'codeSigning',
  'email protection': 'emailProtection',
};

export class TestIssuer {
  readonly ca: CertificateAuthority;
  private readonly issued = new Map<string, TlsSecretData>();
  private serial = 0;

  /**
   * @param objects the manifests whose Certificates this issuer signs
   * @param dir where the CA and the issued files live
   * @param hosts fixture addressing: DNS name → loopback address that stands for it
   */
  constructor(
    readonly objects: readonly K8sObject[],
    readonly dir: string,
    private readonly hosts: ReadonlyMap<string, string> = new Map(),
  ) {
    const caCertificate = objects.find((o) => o.kind === 'Certificate' && o.spec?.isCA);
    this.ca = makeCa(path.join(dir, 'ca'), caCertificate?.spec.commonName ?? 'test-ca', caCertificate?.spec.privateKey ?? { algorithm: 'ECDSA', size: 256 });
  }

  /** The cert-manager Certificate that fills a Secret, if any. */
  certificateFor(secretName: string): K8sObject | undefined {
    return this.objects.find((o) => o.kind === 'Certificate' && o.apiVersion.startsWith('cert-manager.io/') && o.spec?.secretName === secretName && !o.spec.isCA);
  }

  /**
   * Secret data as cert-manager writes it for the Certificate behind secretName (issued
   * once per secret and set of extra fixture hosts).
   */
  secretData(secretName: string, extraHosts: ReadonlyMap<string, string> = new Map()): TlsSecretData {
    const key = `${secretName} ${JSON.stringify([...extraHosts])}`;
    const known = this.issued.get(key);
    if (known) return known;
    const certificate = this.certificateFor(secretName);
    if (!certificate) throw new Error(`no cert-manager Certificate fills the Secret ${secretName}`);
    const data = this.issue(certificate, new Map([...this.hosts, ...extraHosts]));
    this.issued.set(key, data);
    return data;
  }

  /** The SANs the issued certificate carries: the Certificate's names plus the fixture addresses of the hosts they cover. */
  subjectAltNames(certificate: K8sObject, hosts: ReadonlyMap<string, string> = this.hosts): string[] {
    const dnsNames: string[] = certificate.spec.dnsNames ?? [];
    const ips = new Set<string>(certificate.spec.ipAddresses ?? []);
    for (const [host, ip] of hosts) if (dnsNames.some((n) => nameCovers(n, host))) ips.add(ip);
    return [...dnsNames.map((n) => `DNS:${n}`), ...[...ips].map((ip) => `IP:${ip}`)];
  }

  private issue(certificate: K8sObject, hosts: ReadonlyMap<string, string>): TlsSecretData {
    const spec = certificate.spec;
    const dir = path.join(this.dir, `${certificate.metadata.name}-${this.issued.size}`);
    fs.mkdirSync(dir, { recursive: true });
    fs.writeFileSync(path.join(dir, 'openssl.cnf'), REQ_CONFIG);
    const usages: string[] = spec.usages ?? ['digital signature', 'key encipherment'];
    const unknown = usages.filter((u) => !(u in KEY_USAGES) && !(u in EXTENDED_USAGES));
    if (unknown.length) throw new Error(`Certificate ${certificate.metadata.name}: usages ${unknown.join(', ')} unknown to the test issuer`);
    const ku = usages.filter((u) => u in KEY_USAGES).map((u) => KEY_USAGES[u]);
    const eku = usages.filter((u) => u in EXTENDED_USAGES).map((u) => EXTENDED_USAGES[u]);
    const sans = this.subjectAltNames(certificate, hosts);
    fs.writeFileSync(
      path.join(dir, 'leaf.ext'),
      [
        '[leaf]',
        'basicConstraints = critical,CA:FALSE',
        ...(ku.length ? [`keyUsage = critical,${ku.join(',')}`] : []),
        ...(eku.length ? [`extendedKeyUsage = ${eku.join(',')}`] : []),
        ...(sans.length ? [`subjectAltName = ${sans.join(',')}`] : []),
        'authorityKeyIdentifier = keyid',
        '',
      ].join('\n'),
    );
    const subject = spec.commonName ? `/CN=${spec.commonName}` : '/';
    openssl(['req', '-new', '-config', 'openssl.cnf', ...keyOptions(spec.privateKey), '-nodes', '-subj', subject, '-keyout', 'tls.key', '-out', 'tls.csr'], dir);
    // cert-manager's default key encoding is PKCS1 (for EC keys: SEC1, "EC PRIVATE KEY").
    if ((spec.privateKey?.encoding ?? 'PKCS1') === 'PKCS1' && spec.privateKey?.algorithm === 'ECDSA') openssl(['ec', '-in', 'tls.key', '-out', 'tls.key'], dir);
    const serial = `0x${crypto.randomBytes(8).toString('hex')}${(this.serial++).toString(16).padStart(2, '0')}`;
    openssl(['x509', '-req', '-in', 'tls.csr', '-CA', this.ca.certFile, '-CAkey', this.ca.keyFile, '-set_serial', serial, '-days', String(days(spec.duration, 90)), '-extfile', 'leaf.ext', '-extensions', 'leaf', '-out', 'tls.crt'], dir);
    return {
      'tls.crt': fs.readFileSync(path.join(dir, 'tls.crt'), 'utf8'),
      'tls.key': fs.readFileSync(path.join(dir, 'tls.key'), 'utf8'),
      'ca.crt': this.ca.cert,
    };
  }
}
