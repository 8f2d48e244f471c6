import { ACL_USERS } from '../../src/components/redis/contract';
import { passwordFile } from '../../src/components/secrets/keys';
import { HELM_MAJORS } from '../../scripts/helm';
import { helmTemplate, renderedObjects } from '../support/helm';
import { FULLNAME, K8sObject, configMapData, renderEnvironment } from '../support/manifests';

/** Custom key names for every password: no consumer may still read a default <user>-password key. */
const KEYS = Object.fromEntries(ACL_USERS.map((u) => [u, `redis.${u}_pw`]));
const SECRET = 'corp-redis'; // pragma: allowlist secret -- a Secret name
const values = { auth: { existingSecret: SECRET, existingSecretKeys: KEYS }, monitoring: { mode: 'operator' }, infinispan: { enabled: true } };

/** Every key of the auth Secret that a pod reads: env secretKeyRefs and Secret volume items, with what it is mounted as. */
function authKeyReads(objects: readonly K8sObject[], secret: string): { where: string; key: string; path?: string }[] {
  const reads: { where: string; key: string; path?: string }[] = [];
  const walk = (node: any, where: string) => {
    if (Array.isArray(node)) return node.forEach((n) => walk(n, where));
    if (node === null || typeof node !== 'object') return;
    if (node.secretKeyRef?.name === secret) reads.push({ where, key: node.secretKeyRef.key });
    if (node.secret?.secretName === secret) {
      if (!node.secret.items) reads.push({ where, key: '<whole Secret>' });
      for (const i of node.secret.items ?? []) reads.push({ where, key: i.key, path: i.path });
    }
    for (const v of Object.values(node)) walk(v, where);
  };
  for (const o of objects) walk(o, `${o.kind}/${o.metadata.name}`);
  return reads;
}

function expectConfiguredKeys(objects: readonly K8sObject[], secret: string) {
  const reads = authKeyReads(objects, secret);
  const ispn = ['infinispan-username', 'infinispan-password'];
  // Redis and Sentinel pods, the exporters, the master endpoint's checks, the three CronJobs and the helm test Pod read the auth Secret.
  expect(new Set(reads.map((r) => r.where.split('/')[0]))).toEqual(new Set(['StatefulSet', 'Deployment', 'CronJob', 'Pod']));
  expect(reads.length).toBeGreaterThan(10);
  for (const r of reads) {
    if (ispn.includes(r.key)) continue;
    expect({ ...r, configured: Object.values(KEYS).includes(r.key) }).toEqual({ ...r, configured: true });
    // Mounted under the file name the scripts read (<user>-password), whatever the key.
    const user = ACL_USERS.find((u) => KEYS[u] === r.key)!;
    if (r.path !== undefined) expect(r.path).toBe(passwordFile(user));
  }
  // Every user's key is read somewhere, the exporter's monitor key through an env secretKeyRef.
  expect(new Set(reads.map((r) => r.key))).toEqual(new Set([...Object.values(KEYS), ...ispn]));
  expect(reads).toContainEqual({ where: `StatefulSet/${FULLNAME}-redis`, key: KEYS.monitor });
  // The client contract tells the apps the configured keys.
  const client = objects.find((o) => o.kind === 'ConfigMap' && /client/.test(o.metadata.name))!;
  expect(client.data).toMatchObject({ REDIS_PASSWORD_KEY: KEYS.app, REDIS_CACHE_PASSWORD_KEY: KEYS.cache, REDIS_SENTINEL_PASSWORD_KEY: KEYS.app });
}

describe('auth.existingSecretKeys names the key of every password', () => {
  test('in dist/: pods, exporters, CronJobs and the client contract read only the configured keys', () => {
    expectConfiguredKeys(renderEnvironment('production', values), SECRET);
  });

  test.each(HELM_MAJORS)('in the chart (Helm %i): the same reads, and a generated Secret holds the configured keys', (major) => {
    expectConfiguredKeys(renderedObjects(helmTemplate(major, { ...values, namespace: { name: 'shop' } })), SECRET);
    const generated = renderedObjects(helmTemplate(major, { auth: { existingSecretKeys: KEYS } }));
    const secret = generated.find((o) => o.kind === 'Secret' && o.metadata.name === `${FULLNAME}-auth`)!;
    expect(Object.keys(secret.data).sort()).toEqual(Object.values(KEYS).sort());
    expectConfiguredKeysLoose(generated);
  });

  test('an ExternalSecret fills the configured keys', () => {
    const objects = renderEnvironment('production', { auth: { existingSecret: '', existingSecretKeys: KEYS, externalSecret: { enabled: true, secretStoreRef: { name: 'vault' }, remoteKey: 'redis' } } });
    const es = objects.find((o) => o.kind === 'ExternalSecret')!;
    expect(es.spec.data.map((d: any) => d.secretKey).sort()).toEqual(Object.values(KEYS).sort());
    expect(es.spec.data.map((d: any) => d.remoteRef.property).sort()).toEqual(Object.values(KEYS).sort());
  });
});

/** No read of a default key name in a chart rendering with the generated Secret. */
function expectConfiguredKeysLoose(objects: readonly K8sObject[]) {
  const reads = authKeyReads(objects, `${FULLNAME}-auth`);
  expect(reads.length).toBeGreaterThan(0);
  for (const r of reads) expect(Object.values(KEYS)).toContain(r.key);
  expect(configMapData(objects, `${FULLNAME}-client`)).toMatchObject({ REDIS_PASSWORD_KEY: KEYS.app });
}
