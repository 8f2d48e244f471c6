import { HELM_MAJORS } from '../../scripts/helm';
import { ConfigError, validate } from '../../src/config/load';
import { byName, helmTemplate, renderedObjects } from '../support/helm';
import { UnknownFieldChecker, schemaErrors } from '../support/kubernetes-schema';
import { configMapData, findObject, podTemplates, renderValues } from '../support/manifests';

const base = { auth: { existingSecret: 'session-database-auth' }, namespace: { name: 'session-store' } };
const bootstrapped = renderValues({ ...base, tls: { enabled: true } });
const withIssuer = renderValues({ ...base, tls: { enabled: true, issuerRef: { name: 'corp-ca', kind: 'ClusterIssuer' } } });

describe('TLS with cert-manager', () => {
  test('bootstraps self-signed → CA certificate → CA issuer when no issuer is named', () => {
    const selfSigned = findObject(bootstrapped, 'Issuer', 'session-database-selfsigned');
    expect(selfSigned.spec).toEqual({ selfSigned: {} });
    const ca = findObject(bootstrapped, 'Certificate', 'session-database-ca');
    expect(ca.spec).toMatchObject({ isCA: true, secretName: 'session-database-ca', issuerRef: { name: 'session-database-selfsigned', kind: 'Issuer' } });
    expect(findObject(bootstrapped, 'Issuer', 'session-database-ca-issuer').spec).toEqual({ ca: { secretName: 'session-database-ca' } });
    expect(findObject(bootstrapped, 'Certificate', 'session-database-redis-tls').spec.issuerRef).toEqual({ name: 'session-database-ca-issuer', kind: 'Issuer', group: 'cert-manager.io' });
  });

  test('uses a named issuer and bootstraps nothing', () => {
    expect(withIssuer.filter((o) => o.kind === 'Issuer')).toEqual([]);
    expect(findObject(withIssuer, 'Certificate', 'session-database-sentinel-tls').spec.issuerRef).toEqual({ name: 'corp-ca', kind: 'ClusterIssuer', group: 'cert-manager.io' });
  });

  test('certifies every pod behind the headless Services, the client Services and localhost', () => {
    const redis = findObject(bootstrapped, 'Certificate', 'session-database-redis-tls').spec;
    expect(redis.dnsNames).toEqual(expect.arrayContaining([
      '*.session-database-redis-headless.session-store.svc.cluster.local',
      'session-database-redis.session-store.svc.cluster.local',
      'session-database-redis',
      'localhost',
    ]));
    expect(redis).toMatchObject({ duration: '2160h', renewBefore: '360h', secretName: 'session-database-redis-tls' });
    expect(redis.usages).toEqual(expect.arrayContaining(['server auth', 'client auth']));
    const sentinel = findObject(bootstrapped, 'Certificate', 'session-database-sentinel-tls').spec;
    expect(sentinel.dnsNames).toContain('*.session-database-sentinel-headless.session-store.svc.cluster.local');
  });

  test('mounts the certificate Secret and tells the scripts to use TLS', () => {
    for (const { owner, spec } of podTemplates(bootstrapped).filter((t) => /redis|sentinel/.test(t.owner.metadata.name) && t.owner.kind === 'StatefulSet')) {
      const role = owner.metadata.name.endsWith('sentinel') ? 'sentinel' : 'redis';
      expect(spec.volumes.find((v: any) => v.name === 'tls')).toEqual({ name: 'tls', secret: { secretName: `session-database-${role}-tls`, defaultMode: 0o440 } });
      const container = spec.containers[0];
      expect(container.volumeMounts).toContainEqual({ name: 'tls', mountPath: '/etc/redis/tls', readOnly: true });
      expect(container.env).toContainEqual({ name: 'TLS_ENABLED', value: 'true' });
    }
    expect(configMapData(bootstrapped, 'session-database-redis-scripts')['tls.sh']).toContain('tls-replication yes');
  });

  test('hands apps the CA through a client certificate Secret, never a server key', () => {
    const client = findObject(bootstrapped, 'Certificate', 'session-database-client-tls').spec;
    expect(client).toMatchObject({ secretName: 'session-database-client-tls', usages: ['client auth', 'digital signature'] });
    expect(client.issuerRef).toEqual(findObject(bootstrapped, 'Certificate', 'session-database-redis-tls').spec.issuerRef);
    const contract = configMapData(bootstrapped, 'session-database-client');
    expect(contract).toMatchObject({ REDIS_TLS: 'true', REDIS_TLS_CA_SECRET: 'session-database-client-tls', REDIS_TLS_CA_KEY: 'ca.crt' });
    expect(configMapData(renderValues(base), 'session-database-client').REDIS_TLS_CA_SECRET).toBeUndefined();
  });

  test('renders no cert-manager object and no TLS volume when off', () => {
    const plain = renderValues(base);
    expect(plain.filter((o) => o.apiVersion.startsWith('cert-manager.io'))).toEqual([]);
    for (const { spec } of podTemplates(plain)) expect(spec.volumes?.find((v: any) => v.name === 'tls')).toBeUndefined();
  });

  test('validates against the cert-manager schemas with no unknown fields', () => {
    const objects = [...bootstrapped, ...withIssuer].filter((o) => o.apiVersion.startsWith('cert-manager.io'));
    const checker = new UnknownFieldChecker(objects);
    expect(objects.flatMap((o) => [...schemaErrors(o), ...checker.check(o)])).toEqual([]);
  });

  test('refuses TLS with neither an issuer nor the bootstrap CA', () => {
    expect(() => validate({ ...base, tls: { enabled: true, bootstrapCA: false } }, 'values/production.yaml')).toThrow(ConfigError);
    try {
      validate({ ...base, tls: { enabled: true, bootstrapCA: false } }, 'values/production.yaml');
    } catch (e) {
      expect((e as ConfigError).problems).toEqual([
        'values/production.yaml: tls.issuerRef.name is empty and tls.bootstrapCA is false, so nothing would sign the TLS certificates; name an existing cert-manager Issuer/ClusterIssuer or set tls.bootstrapCA: true',
      ]);
    }
  });

  test.each(HELM_MAJORS)('renders the same with Helm %i, both issuer choices', (major) => {
    for (const values of [{ ...base, tls: { enabled: true } }, { ...base, tls: { enabled: true, issuerRef: { name: 'corp-ca', kind: 'ClusterIssuer' } } }]) {
      expect(byName(renderedObjects(helmTemplate(major, values)))).toEqual(byName(renderValues(values)));
    }
  });
});
