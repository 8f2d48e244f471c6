import { HELM_MAJORS } from '../../scripts/helm';
import { byName, helmTemplate, renderedObjects } from '../support/helm';
import { FULLNAME, configMapData, findObject } from '../support/manifests';
import { checkPod } from '../support/pod-security-admission';
import { checkServerConfig } from './schema-check';
import { infinispanValues, renderInfinispan, serverConfig, statefulSet } from './values';

/** TLS arrives as guarded additions behind tls.enabled: each one is checked here both ways. */
const TLS_ON = { tls: { enabled: true }, infinispan: { metrics: { serviceMonitor: { enabled: true } } } };

describe('Infinispan with tls.enabled', () => {
  const objects = renderInfinispan(TLS_ON);
  const sts = statefulSet(objects);
  const c = sts.spec.template.spec.containers[0];
  const doc = serverConfig(objects);

  test('gives the security realm a PEM keystore and stays schema-valid', () => {
    expect(checkServerConfig(doc)).toEqual([]);
    expect(doc.infinispan.server.security.securityRealms[0].serverIdentities).toEqual({
      ssl: { keystore: { path: '/etc/infinispan/identities/server.pem', password: '' } },
    });
  });

  test('allows the password-sending mechanisms only now that the endpoint is encrypted', () => {
    const endpoint = doc.infinispan.server.endpoints[0].connectors;
    expect(endpoint.rest.restConnector.authentication.mechanisms).toEqual(['DIGEST', 'BASIC']);
    expect(endpoint.hotrod.hotrodConnector.authentication.sasl.mechanisms).toContain('PLAIN');
  });

  test('mounts the certificate Secret that cert-manager issues from the Redis issuer', () => {
    const cert = findObject(objects, 'Certificate', `${FULLNAME}-infinispan-tls`);
    expect(cert.spec).toMatchObject({
      secretName: `${FULLNAME}-infinispan-tls`,
      issuerRef: { name: `${FULLNAME}-ca-issuer`, kind: 'Issuer' },
      privateKey: { encoding: 'PKCS8' },
    });
    expect(cert.spec.dnsNames).toContain(`${FULLNAME}-infinispan.sessions.svc.cluster.local`);
    expect(cert.spec.dnsNames).toContain(`*.${FULLNAME}-infinispan-ping.sessions.svc.cluster.local`);
    expect(sts.spec.template.spec.volumes).toContainEqual({ name: 'tls', secret: { secretName: `${FULLNAME}-infinispan-tls`, defaultMode: 0o440 } });
    expect(c.volumeMounts).toContainEqual({ name: 'tls', mountPath: '/etc/infinispan/tls', readOnly: true });
    expect(c.env).toContainEqual({ name: 'TLS_DIR', value: '/etc/infinispan/tls' });
    expect(checkPod({ metadata: sts.spec.template.metadata, spec: sts.spec.template.spec })).toEqual([]);
  });

  test('probes and scrapes over HTTPS', () => {
    for (const probe of [c.startupProbe, c.livenessProbe, c.readinessProbe]) expect(probe.httpGet.scheme).toBe('HTTPS');
    const endpoint = findObject(objects, 'ServiceMonitor', `${FULLNAME}-infinispan`).spec.endpoints[0];
    expect(endpoint).toMatchObject({ scheme: 'https', tlsConfig: { ca: { secret: { name: `${FULLNAME}-infinispan-tls`, key: 'ca.crt' } } } });
  });

  test('tells clients rediss:// and TLS for Infinispan', () => {
    const standalone = configMapData(renderInfinispan({ ...TLS_ON, redis: { mode: 'standalone', replicas: 1 } }), `${FULLNAME}-client`);
    expect(standalone.REDIS_URL).toMatch(/^rediss:\/\//);
    expect(standalone).toMatchObject({ REDIS_TLS: 'true', INFINISPAN_TLS: 'true' });
    const plain = configMapData(renderInfinispan({ redis: { mode: 'standalone', replicas: 1 } }), `${FULLNAME}-client`);
    expect(plain.REDIS_URL).toMatch(/^redis:\/\//);
    expect(plain).toMatchObject({ REDIS_TLS: 'false', INFINISPAN_TLS: 'false' });
  });

  test.each(HELM_MAJORS.map((m) => [m]))('renders the same with helm %i', (major) => {
    const mine = (all: typeof objects) => all.filter((o) => /^(infinispan|client)/.test(o.metadata.labels?.['app.kubernetes.io/component'] ?? ''));
    const helm = byName(mine(renderedObjects(helmTemplate(major, infinispanValues(TLS_ON)))));
    const dist = byName(mine(objects));
    expect(Object.keys(dist)).toContain('Certificate/session-database-infinispan-tls');
    expect(Object.keys(helm).sort()).toEqual(Object.keys(dist).sort());
    for (const key of Object.keys(dist)) expect([key, helm[key]]).toEqual([key, dist[key]]);
  });
});
