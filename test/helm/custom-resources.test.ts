import { HELM_MAJORS } from '../../scripts/helm';
import { CUSTOM_RESOURCE_APIS, apiVersionKind } from '../../src/render/custom-resources';
import { CHART, helm, renderedObjects } from '../support/helm';
import { renderValues } from '../support/manifests';

/**
 * Objects of operators' CRDs render only where the cluster serves their API (a cluster without cert-manager
 * would refuse a Certificate and fail the whole install), or when renderCustomResources is always; NOTES
 * says what was left out and how to get it. dist/ always has them.
 */
const EVERY_OPERATOR = ['--set', 'auth.externalSecret.enabled=true', '--set', 'auth.externalSecret.secretStoreRef.name=vault', '--set', 'auth.externalSecret.remoteKey=k',
  '--set', 'tls.enabled=true', '--set', 'tls.bootstrapCA=true', '--set', 'monitoring.mode=operator'];
const VALUES = { auth: { externalSecret: { enabled: true, secretStoreRef: { name: 'vault' }, remoteKey: 'k' } }, tls: { enabled: true, bootstrapCA: true }, monitoring: { mode: 'operator' } };
const kindsOf = (objects: { kind: string }[]) => [...new Set(objects.map((o) => o.kind))];
const OPERATOR_KINDS = CUSTOM_RESOURCE_APIS.map((a) => a.kind);

describe.each(HELM_MAJORS)('Helm %i', (major) => {
  const template = (...extra: string[]) => helm(major, ['template', 'session-database', CHART, ...EVERY_OPERATOR, ...extra]);

  test('without the operators\' APIs, no custom resource is rendered and everything else is', () => {
    const objects = renderedObjects(template());
    const expected = renderValues(VALUES).filter((o) => !OPERATOR_KINDS.includes(o.kind));
    expect(kindsOf(objects).filter((k) => OPERATOR_KINDS.includes(k))).toEqual([]);
    expect(objects.length).toBe(expected.length);
    expect(kindsOf(objects).sort()).toEqual(kindsOf(expected).sort());
  });

  test('each kind appears exactly when its API is served', () => {
    for (const api of CUSTOM_RESOURCE_APIS.filter((a) => a.kind !== 'ServiceMonitor')) {
      const kinds = kindsOf(renderedObjects(template('--api-versions', apiVersionKind(api))));
      expect([api.kind, kinds.filter((k) => OPERATOR_KINDS.includes(k))]).toEqual([api.kind, [api.kind]]);
    }
  });

  test('renderCustomResources: always renders them all, as dist/ has them', () => {
    const objects = renderedObjects(template('--set', 'renderCustomResources=always'));
    expect(kindsOf(objects).filter((k) => OPERATOR_KINDS.includes(k)).sort()).toEqual(kindsOf(renderValues(VALUES)).filter((k) => OPERATOR_KINDS.includes(k)).sort());
  });
});

test('NOTES name each operator that is missing, what is not there, and the three ways out (Helm 4)', () => {
  const r = helm(4, ['install', 'sd', CHART, ...EVERY_OPERATOR, '--dry-run=client']);
  expect(r.status).toBe(0);
  const notes = r.stdout.slice(r.stdout.indexOf('NOTES:'));
  expect(notes).toContain('WARNING: tls.enabled is true but this cluster does not serve cert-manager.io/v1 (cert-manager): no Certificate or Issuer was rendered');
  expect(notes).toContain('with helm template pass --api-versions cert-manager.io/v1/Certificate --api-versions cert-manager.io/v1/Issuer; or set renderCustomResources: always');
  expect(notes).toContain('WARNING: monitoring.mode is operator but this cluster does not serve monitoring.coreos.com/v1 (Prometheus Operator)');
  expect(notes).toContain('WARNING: auth.externalSecret.enabled is true but this cluster does not serve external-secrets.io/v1 (External Secrets Operator)');
  const served = helm(4, ['install', 'sd', CHART, ...EVERY_OPERATOR, '--dry-run=client', ...CUSTOM_RESOURCE_APIS.flatMap((a) => ['--api-versions', apiVersionKind(a)])]);
  expect(served.stdout).not.toContain('WARNING:');
});
