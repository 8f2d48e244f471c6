import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { HELM_MAJORS } from '../../scripts/helm';
import { ACL_USERS } from '../../src/components/redis/contract';
import { GENERATED_PASSWORD_LENGTH } from '../../src/render/helm-only';
import { goOperand, nested } from '../../src/config/expr';
import { AUTH_SECRET, NAMESPACE } from '../../src/components/shared/naming';

const escapeRegExp = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
import { PROJECT_ROOT } from '../../src/render/assets';
import { CHART, helmTemplate, renderedObjects } from '../support/helm';
import { K8sObject, loadDist, renderValues } from '../support/manifests';
import { scanDirectories, scanText } from './credential-scanner';
import { ENVIRONMENTS, HELM_DEFAULTS_VALUES, allPodSpecs } from './renderings';

const SCANNED = ['dist', 'charts', 'argocd', 'values'];
const KEYS = ACL_USERS.map((u) => `${u}-password`).sort();

describe('credential literals', () => {
  test('dist/, charts/, argocd/ and values/ contain none', () => {
    const { files, findings } = scanDirectories(PROJECT_ROOT, SCANNED);
    expect(files).toBeGreaterThan(10);
    expect(findings.map((f) => `${f.file}:${f.line} ${f.rule} ${f.excerpt}`)).toEqual([]);
  });

  // Built by concatenation so this file itself holds no scannable token.
  const fake = (prefix: string, alphabet: string, n: number) => prefix + alphabet.repeat(Math.ceil(n / alphabet.length)).slice(0, n);
  const planted: [string, string, string][] = [
    ['a PEM private key', `-----BEGIN ${'RSA '}PRIVATE KEY-----\nMIIEow...\n-----END RSA PRIVATE KEY-----`, 'privatekey'],
    ['an OpenSSH private key', `-----BEGIN ${'OPENSSH '}PRIVATE KEY-----`, 'privatekey'],
    ['an AWS access key id', `aws_access_key_id = ${fake('AKIA', 'QXZ7', 16)}`, 'aws-access-key-id'],
    ['an AWS secret access key', `aws_secret_access_key: ${fake('', 'wJalrXUtnFEMIK7MDENGbPxRfiCY', 40)}`, 'aws-secret-access-key'], // pragma: allowlist secret -- fake credential the scanner must catch
    ['a GCP service account key', `{"type": "service_account", "project_id": "p", "private_key": "-----BEGIN ${'PRIVATE'} KEY-----\\nMII"}`, 'gcp-service-account'],
    ['a GCP API key', `key=${fake('AIza', 'Sy9bX_k', 35)}`, 'gcp-api-key'],
    ['a GitHub token', `token ${fake('ghp_', 'a1B2c3D4', 36)}`, 'github-token'],
    ['a fine-grained GitHub token', fake('github_pat_', '11AbCd_', 82), 'github-token'],
    ['a Slack bot token', fake('xoxb-', '1234-5678-abcd', 40), 'slack-token'],
    ['a Slack webhook', `https://hooks.slack.com/services/${fake('T', '0A1B2C3D', 10)}/${fake('B', '0E1F2G', 10)}/${fake('', 'XyZ123', 24)}`, 'slack-webhook'],
    ['an npm token', fake('npm_', 'Ab12Cd34', 36), 'npm-token'],
    ['a SendGrid key', `SG.${fake('', 'aB3_', 22)}.${fake('', 'x-Y9', 43)}`, 'sendgrid-api-key'],
    ['a Shopify token', fake('shpat_', 'a1b2c3d4e5f6', 32), 'shopify-token'], // pragma: allowlist secret -- fake credential the scanner must catch
    ['an OpenAI key', `sk-${fake('', 'aB1', 20)}T3BlbkFJ${fake('', 'cD2', 20)}`, 'openai-api-key'],
    ['basic auth in a redis URL', 'url: redis://app:Sup3rS3cret@session-database-redis:6379/0', 'basic-auth-url'], // pragma: allowlist secret -- fake credential the scanner must catch
    ['basic auth in an https URL', 'https://admin:hunter2hunter2@grafana.example.com/', 'basic-auth-url'],
    ['a YAML password literal', 'password: Sup3rS3cret', 'password-assignment'],
    ['a JSON password literal', '{"adminPassword": "Sup3rS3cret"}', 'password-assignment'], // pragma: allowlist secret -- fake credential the scanner must catch
    ['an env-style password literal', 'REDIS_PASSWORD=Sup3rS3cret', 'password-assignment'],
    ['a client_secret literal', 'client_secret: 8f7d6e5c4b3a', 'password-assignment'], // pragma: allowlist secret -- fake credential the scanner must catch
    ['a Redis requirepass', 'requirepass Sup3rS3cret', 'redis-password-directive'],
    ['a Redis masterauth', 'masterauth Sup3rS3cret', 'redis-password-directive'],
    ['a sentinel auth-pass', 'sentinel auth-pass mymaster Sup3rS3cret', 'redis-password-directive'],
    ['an ACL plaintext password', 'user app on >Sup3rS3cret ~session:* +@read', 'redis-acl-plaintext-password'],
    ['redis-cli -a', 'redis-cli -h x -a Sup3rS3cret ping', 'cli-password-flag'],
    ['curl -u', 'curl -u admin:Sup3rS3cret https://x', 'cli-password-flag'],
    ['a Secret with data', 'apiVersion: v1\nkind: Secret\nmetadata:\n  name: s\ndata:\n  app-password: U3VwM3JTM2NyZXQ=\n', 'secret-data'],
    ['a Secret with stringData', 'apiVersion: v1\nkind: Secret\nmetadata:\n  name: s\nstringData:\n  token: abc123def\n', 'secret-stringData'],
    ['a Secret template with a literal', '{{- if .Values.x }}\n---\napiVersion: v1\nkind: Secret\nmetadata:\n  name: {{ .Release.Name }}\ndata:\n  app-password: "U3VwM3JTM2NyZXQ="\n{{- end }}\n', 'secret-data'], // pragma: allowlist secret -- fake credential the scanner must catch
  ];

  test.each(planted)('the scanner catches %s', (_, text, rule) => {
    expect(scanText(text, 'planted.yaml').map((f) => f.rule)).toContain(rule);
  });

  const placeholders: [string, string][] = [
    ['ACL hash placeholders', 'user app on %PASSWORD:app% ~session:* +@read'],
    ['a password read from a file at run time', 'REDISCLI_AUTH=$(secret cache) redis-cli --no-auth-warning --user cache -h "$host"'],
    ['a shell variable', 'masterauth "$REPLICATION_PASSWORD"'],
    ['a Helm action', 'password: {{ .Values.x | quote }}'],
    ['a Secret template whose data are actions', '---\nkind: Secret\ndata:\n  app-password: {{ randAlphaNum 32 | b64enc | toJson }}\n'],
    ['a Secret reference', 'secretName: session-database-auth\nexistingSecret: session-database-auth\nsecretKey: "app-password"'],
    ['a URL with a user but no password', 'redis://app@session-database-redis:6379'],
    ['an env var that names a password file', 'REDIS_PASSWORD_FILE=/etc/redis/secrets/app-password'],
    ['a Secret without data (a reference for docs)', 'apiVersion: v1\nkind: Secret\nmetadata:\n  name: s\n'],
  ];

  test.each(placeholders)('the scanner leaves %s alone', (_, text) => {
    expect(scanText(text, 'placeholder.yaml')).toEqual([]);
  });

  test('a literal planted in a copy of dist/ fails the scan', () => {
    const root = fs.mkdtempSync(path.join(os.tmpdir(), 'sd-scan-'));
    try {
      fs.cpSync(path.join(PROJECT_ROOT, 'dist'), path.join(root, 'dist'), { recursive: true });
      expect(scanDirectories(root, ['dist']).findings).toEqual([]);
      const file = path.join(root, 'dist', 'production', 'redis.yaml');
      fs.writeFileSync(file, fs.readFileSync(file, 'utf8').replace('port 6379\n', 'port 6379\n    requirepass Sup3rS3cret\n'));
      fs.appendFileSync(file, '---\napiVersion: v1\nkind: Secret\nmetadata:\n  name: leaked\ndata:\n  app-password: U3VwM3JTM2NyZXQ=\n');
      const found = scanDirectories(root, ['dist']).findings;
      expect(found.map((f) => `${f.file} ${f.rule}`).sort()).toEqual([
        'dist/production/redis.yaml password-assignment',
        'dist/production/redis.yaml redis-password-directive',
        'dist/production/redis.yaml secret-data',
      ]);
    } finally {
      fs.rmSync(root, { recursive: true, force: true });
    }
  });
});

const secretsOf = (objects: readonly K8sObject[]) => objects.filter((o) => o.kind === 'Secret');
const externalSecretsOf = (objects: readonly K8sObject[]) => objects.filter((o) => o.kind === 'ExternalSecret');

/** Secret names the Redis and Sentinel pods mount their passwords from. */
function mountedAuthSecrets(objects: readonly K8sObject[]): string[] {
  const names = allPodSpecs(objects)
    .filter((p) => ['redis', 'sentinel'].includes(p.metadata.labels?.['app.kubernetes.io/component']))
    .flatMap((p) => (p.spec.volumes ?? []).filter((v: any) => v.name === 'secrets').map((v: any) => v.secret.secretName));
  return [...new Set(names)];
}

describe('the auth Secret', () => {
  const base = { namespace: { name: 'sessions' } };
  const external = (extra: object) => ({
    ...base,
    auth: { externalSecret: { enabled: true, secretStoreRef: { name: 'vault', kind: 'ClusterSecretStore' }, ...extra } },
  });

  test.each(ENVIRONMENTS)('dist/%s holds no Secret at all and mounts auth.existingSecret', (env) => {
    const objects = loadDist(env);
    expect(secretsOf(objects)).toEqual([]);
    expect(mountedAuthSecrets(objects)).toEqual(['session-database-auth']);
  });

  test('static manifests with neither auth.existingSecret nor auth.externalSecret are refused with the fix', () => {
    expect(() => renderValues(base)).toThrow(
      /values\/test\.yaml: auth\.existingSecret is empty and auth\.externalSecret\.enabled is false[^\n]*set auth\.existingSecret[^\n]*or configure auth\.externalSecret/,
    );
  });

  test('an ExternalSecret with one remote key fills <fullname>-auth with a property per password, in dist/ and in Helm', () => {
    const values = external({ remoteKey: 'prod/session-database', refreshInterval: '15m' });
    const renders = [renderValues(values), ...HELM_MAJORS.map((m) => renderedObjects(helmTemplate(m, values)))];
    for (const objects of renders) {
      expect(secretsOf(objects)).toEqual([]);
      const es = externalSecretsOf(objects);
      expect(es).toHaveLength(1);
      expect(es[0].apiVersion).toBe('external-secrets.io/v1');
      expect(es[0].metadata.namespace).toBe('sessions');
      expect(es[0].spec.secretStoreRef).toEqual({ name: 'vault', kind: 'ClusterSecretStore' });
      expect(es[0].spec.refreshInterval).toBe('15m');
      expect(es[0].spec.target).toEqual({ name: 'session-database-auth', creationPolicy: 'Owner' });
      expect(es[0].spec.data.map((d: any) => d.secretKey).sort()).toEqual(KEYS);
      for (const d of es[0].spec.data) expect(d.remoteRef).toEqual({ key: 'prod/session-database', property: d.secretKey });
      expect(mountedAuthSecrets(objects)).toEqual(['session-database-auth']);
    }
    const [dist, ...helms] = renders;
    for (const helm of helms) expect(externalSecretsOf(helm)[0].spec).toEqual(externalSecretsOf(dist)[0].spec);
  });

  test('an ExternalSecret with a key prefix reads one remote secret per password', () => {
    const values = external({ remoteKeyPrefix: 'session-database/' });
    for (const objects of [renderValues(values), ...HELM_MAJORS.map((m) => renderedObjects(helmTemplate(m, values)))]) {
      const data = externalSecretsOf(objects)[0].spec.data;
      expect(data.map((d: any) => d.remoteRef)).toEqual(ACL_USERS.map((u) => ({ key: `session-database/${u}-password` })));
    }
  });

  test('an ExternalSecret also fetches the Infinispan identity when that component is on', () => {
    const values = { ...external({ remoteKeyPrefix: 'sd/' }), infinispan: { enabled: true } };
    for (const objects of [renderValues(values), ...HELM_MAJORS.map((m) => renderedObjects(helmTemplate(m, values)))]) {
      const data = externalSecretsOf(objects)[0].spec.data;
      expect(data.map((d: any) => d.secretKey).sort()).toEqual([...KEYS, 'infinispan-password', 'infinispan-username'].sort());
      expect(data.find((d: any) => d.secretKey === 'infinispan-password').remoteRef).toEqual({ key: 'sd/infinispan-password' });
    }
  });

  test('auth.existingSecret renders neither a Secret nor an ExternalSecret, in dist/ and Helm', () => {
    const values = { ...base, auth: { existingSecret: 'my-passwords' } };
    for (const objects of [renderValues(values), ...HELM_MAJORS.map((m) => renderedObjects(helmTemplate(m, values)))]) {
      expect([...secretsOf(objects), ...externalSecretsOf(objects)]).toEqual([]);
      expect(mountedAuthSecrets(objects)).toEqual(['my-passwords']);
    }
  });

  describe.each(HELM_MAJORS)('Helm %i without either', (major) => {
    const render = () => renderedObjects(helmTemplate(major, HELM_DEFAULTS_VALUES));

    test('generates <release>-auth with a random alphanumeric password per ACL user', () => {
      const [first, second] = [render(), render()];
      const secrets = secretsOf(first);
      expect(secrets.map((s) => s.metadata.name)).toEqual(['session-database-auth']);
      expect(Object.keys(secrets[0].data).sort()).toEqual(KEYS);
      const passwords = Object.values<string>(secrets[0].data).map((b64) => Buffer.from(b64, 'base64').toString('utf8'));
      for (const p of passwords) expect(p).toMatch(new RegExp(`^[A-Za-z0-9]{${GENERATED_PASSWORD_LENGTH}}$`));
      expect(new Set(passwords).size).toBe(passwords.length);
      expect(secretsOf(second)[0].data).not.toEqual(secrets[0].data);
      expect(mountedAuthSecrets(first)).toEqual(['session-database-auth']);
    });

    test('adds the Infinispan identity when that component is on, under its configured keys', () => {
      const secret = secretsOf(renderedObjects(helmTemplate(major, { ...HELM_DEFAULTS_VALUES, infinispan: { enabled: true, auth: { usernameKey: 'ispn-user', passwordKey: 'ispn-pass' } } })))[0];
      expect(Object.keys(secret.data).sort()).toEqual([...KEYS, 'ispn-pass', 'ispn-user'].sort());
      expect(Buffer.from(secret.data['ispn-user'], 'base64').toString()).toBe('sessions');
      expect(Buffer.from(secret.data['ispn-pass'], 'base64').toString()).toMatch(new RegExp(`^[A-Za-z0-9]{${GENERATED_PASSWORD_LENGTH}}$`));
    });

    test('keeps the passwords of the existing Secret on upgrade (lookup), generating only missing keys', () => {
      // Helm has no cluster here, so the chart copy answers `lookup` for exactly the
      // release's Secret (namespace and name as the chart computes them) with stored data.
      const stored: Record<string, string> = Object.fromEntries(
        KEYS.filter((k) => k !== 'backup-password').map((k) => [k, Buffer.from(`kept-${k}`).toString('base64')]),
      );
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sd-lookup-'));
      try {
        const chart = path.join(dir, 'chart');
        fs.cpSync(CHART, chart, { recursive: true });
        const template = path.join(chart, 'templates', 'secrets.yaml');
        const text = fs.readFileSync(template, 'utf8');
        const dict = `(dict "data" (dict ${Object.entries(stored).map(([k, v]) => `"${k}" "${v}"`).join(' ')}))`;
        const [ns, name] = [NAMESPACE, AUTH_SECRET].map((o) => nested(goOperand(o)));
        const call = new RegExp(`\\(lookup "v1" "Secret" ${escapeRegExp(ns)} ${escapeRegExp(name)}\\)`, 'g');
        // One lookup per password, plus the two guarded Infinispan identity keys.
        expect(text.match(call)).toHaveLength(KEYS.length + 2);
        fs.writeFileSync(template, text.replace(call, () => `(ternary ${dict} (dict) (and (eq ${ns} "sessions") (eq ${name} "session-database-auth")))`));
        const values = { ...HELM_DEFAULTS_VALUES, namespace: { name: 'sessions' } };
        const secret = secretsOf(renderedObjects(helmTemplate(major, values, [], chart)))[0];
        for (const [k, v] of Object.entries(stored)) expect(secret.data[k]).toBe(v);
        expect(Buffer.from(secret.data['backup-password'], 'base64').toString()).toMatch(/^[A-Za-z0-9]{32}$/);
        // Another release name finds no stored Secret: everything is new.
        const other = secretsOf(renderedObjects(helmTemplate(major, { ...values, fullnameOverride: 'other' }, [], chart)))[0];
        expect(Object.values(other.data)).not.toContain(stored['app-password']);
      } finally {
        fs.rmSync(dir, { recursive: true, force: true });
      }
    });
  });
});
