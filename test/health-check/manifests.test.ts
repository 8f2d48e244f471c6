import * as fs from 'fs';
import * as path from 'path';
import { readAsset, PROJECT_ROOT } from '../../src/render/assets';
import { K8sObject, configMapData, loadDist, parseDocuments, renderEnvironment } from '../support/manifests';

const SCRIPT = 'src/components/health-check/files/health-check.sh';
const distFile = (env: string, file: string) => path.join(PROJECT_ROOT, 'dist', env, file);
const named = (objects: readonly K8sObject[], suffix: string) => objects.filter((o) => o.metadata.name === `session-database-${suffix}`).map((o) => o.kind).sort();

describe.each(['dev', 'production'])('the health check of dist/%s', (env) => {
  const objects = loadDist(env);

  test('ships health-check.sh in its ConfigMap with the Sentinel pods of this release filled in, nothing else changed', () => {
    const script = configMapData(objects, 'session-database-health-check')['health-check.sh'];
    const namespace = env === 'dev' ? 'session-dev' : 'session-store';
    expect(script).toContain(`SENTINEL_HOST_PATTERN=\${SENTINEL_HOST_PATTERN:-session-database-sentinel-%d.session-database-sentinel-headless.${namespace}.svc.cluster.local}`);
    expect(script).toContain('SENTINEL_NODES=${SENTINEL_NODES:-3}');
    expect(script).not.toMatch(/@@/);
    const source = readAsset(SCRIPT).split('\n');
    const shipped = script.split('\n');
    expect(shipped.length).toBe(source.length);
    expect(shipped.filter((line, i) => line !== source[i]).length).toBe(2);
  });

  test('keeps the helm test Pod in tests/, which kubectl apply -f dist/<env>/ leaves out, and the ConfigMap and ServiceAccount beside the other objects', () => {
    const top = parseDocuments(fs.readFileSync(distFile(env, 'health-check.yaml'), 'utf8'));
    const tests = parseDocuments(fs.readFileSync(distFile(env, 'tests/health-check.yaml'), 'utf8'));
    expect(named(top, 'health-check')).toEqual(['ConfigMap', 'ServiceAccount']);
    expect(named(tests, 'health-check')).toEqual(['Pod']);
    expect(tests[0].metadata.annotations).toMatchObject({ 'helm.sh/hook': 'test', 'helm.sh/hook-delete-policy': 'before-hook-creation' });
    expect(fs.existsSync(path.join(PROJECT_ROOT, 'charts/session-database/templates/tests/health-check.yaml'))).toBe(true);
  });

  test('runs the script as an application is configured: the contract by envFrom, passwords by secretKeyRef, no token', () => {
    const pod = objects.find((o) => o.kind === 'Pod')!;
    const container = pod.spec.containers[0];
    expect(container.envFrom).toEqual([{ configMapRef: { name: 'session-database-client' } }]);
    const fromSecret = Object.fromEntries(container.env.filter((e: any) => e.valueFrom).map((e: any) => [e.name, e.valueFrom.secretKeyRef]));
    expect(fromSecret.REDIS_PASSWORD).toEqual({ name: 'session-database-auth', key: 'app-password' });
    expect(fromSecret.REDIS_CACHE_PASSWORD).toEqual({ name: 'session-database-auth', key: 'cache-password' });
    expect(pod.spec.automountServiceAccountToken).toBe(false);
    expect(pod.spec.restartPolicy).toBe('Never');
    expect(pod.spec.activeDeadlineSeconds).toBe(120);
  });
});

test('production verifies TLS with the client CA Secret apps mount; dev has no CA and no Sentinel password', () => {
  const pod = (env: string) => loadDist(env).find((o) => o.kind === 'Pod')!;
  const production = pod('production');
  expect(production.spec.volumes.find((v: any) => v.name === 'ca').secret).toMatchObject({ secretName: 'session-database-client-tls', items: [{ key: 'ca.crt', path: 'ca.crt' }] });
  expect(production.spec.containers[0].env).toContainEqual({ name: 'REDIS_TLS_CA_FILE', value: '/etc/session-database/ca.crt' });
  const dev = pod('dev').spec.containers[0].env.map((e: any) => e.name);
  expect(dev).not.toContain('REDIS_TLS_CA_FILE');
  expect(dev).not.toContain('REDIS_SENTINEL_PASSWORD');
});

test('healthCheck.enabled false leaves out the ConfigMap, the ServiceAccount, the Pod and its NetworkPolicy', () => {
  const objects = renderEnvironment('production', { healthCheck: { enabled: false } });
  expect(objects.filter((o) => o.metadata.name.includes('health-check')).map((o) => `${o.kind}/${o.metadata.name}`)).toEqual([]);
  expect(JSON.stringify(objects.filter((o) => o.kind === 'NetworkPolicy'))).not.toContain('health-check');
});
