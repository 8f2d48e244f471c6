import * as fs from 'fs';
import * as path from 'path';
import { listEnvironments } from '../../src/config/load';
import { PROJECT_ROOT } from '../../src/render/assets';
import * as YAML from 'yaml';
import { useCluster } from '../support/cluster';
import { renderValues } from '../support/manifests';
import { documentTexts } from '../support/kube-api';

/**
 * Issue 12, proof 1: every file of dist/<env>/ is accepted by a real API server with server-side apply
 * and strict field validation (unknown or duplicate fields are errors), CRDs installed first, exactly as
 * the README's `kubectl apply --server-side -f dist/<env>/` would send it.
 */
const cluster = useCluster();
jest.setTimeout(600_000);
const environments = listEnvironments(path.join(PROJECT_ROOT, 'values'));
const FIELD_MANAGER = 'session-database-test';

function distFiles(env: string): string[] {
  const dir = path.join(PROJECT_ROOT, 'dist', env);
  // The Namespace first, as the README applies it.
  return fs.readdirSync(dir).filter((f) => f.endsWith('.yaml')).sort((a, b) => Number(b === 'namespace.yaml') - Number(a === 'namespace.yaml') || a.localeCompare(b)).map((f) => path.join(dir, f));
}

const namespacesApplied: string[] = [];
afterAll(() => {
  for (const ns of namespacesApplied) cluster.kubectl?.(['delete', 'namespace', ns, '--wait=false', '--ignore-not-found']);
});

describe.each(environments)('dist/%s on the real API server', (env) => {
  test('every object of every file is accepted by server-side apply with strict field validation', async () => {
    const files = distFiles(env);
    const namespaceDoc = documentTexts(fs.readFileSync(files[0], 'utf8'))[0];
    const namespace = /^\s+name:\s*(\S+)/m.exec(namespaceDoc)![1];
    if (!cluster.local && cluster.kubectl(['get', 'namespace', namespace]).status === 0) {
      throw new Error(`namespace ${namespace} already exists in ${cluster.kubeconfig}: this test applies dist/${env}/ into it and deletes it afterwards; use a cluster without it`);
    }
    namespacesApplied.push(namespace);
    const rejected: string[] = [];
    let applied = 0;
    for (const file of files) {
      for (const doc of documentTexts(fs.readFileSync(file, 'utf8'))) {
        const r = await cluster.api.applyStrict(doc, FIELD_MANAGER);
        if (r.status === 200 || r.status === 201) applied++;
        else rejected.push(`${path.relative(PROJECT_ROOT, file)}: ${r.body?.details?.kind ?? ''}/${r.body?.details?.name ?? ''}: HTTP ${r.status} ${r.body?.message ?? r.text}`);
      }
    }
    expect(rejected).toEqual([]);
    // Each object is there, owned by the apply's field manager.
    const namespaced = cluster.json(['get', 'configmaps,services,statefulsets', '-n', namespace, '--show-managed-fields']).items;
    expect(namespaced.length).toBeGreaterThan(0);
    for (const o of namespaced) {
      if (o.metadata.name === 'kube-root-ca.crt') continue; // published into every namespace by the controller-manager
      expect({ object: `${o.kind}/${o.metadata.name}`, managers: o.metadata.managedFields.map((m: any) => `${m.manager}:${m.operation}`) }).toEqual({
        object: `${o.kind}/${o.metadata.name}`,
        managers: expect.arrayContaining([`${FIELD_MANAGER}:Apply`]),
      });
    }
    expect(applied).toBeGreaterThan(0);
  });
});

describe('strict field validation (negative controls)', () => {
  test('an object with an unknown field is rejected and not created', async () => {
    const ns = cluster.namespace('strict');
    const doc = `apiVersion: v1\nkind: Service\nmetadata:\n  name: unknown-field\n  namespace: ${ns}\nspec:\n  selector:\n    app: x\n  ports:\n    - port: 6379\n  sessionAffinty: ClientIP\n`;
    const r = await cluster.api.applyStrict(doc, FIELD_MANAGER);
    // Server-side apply refuses it while building the typed patch (Kubernetes answers 500 for this).
    expect({ status: r.status, message: r.body.message }).toEqual({
      status: 500,
      message: `failed to create typed patch object (${ns}/unknown-field; /v1, Kind=Service): .spec.sessionAffinty: field not declared in schema`,
    });
    expect(cluster.kubectl(['get', 'service', 'unknown-field', '-n', ns]).status).not.toBe(0);
  });

  test('an object with a duplicate field is rejected', async () => {
    const ns = cluster.namespace('strict');
    const doc = `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: duplicate-field\n  namespace: ${ns}\ndata:\n  a: "1"\n  a: "2"\n`;
    const r = await cluster.api.applyStrict(doc, FIELD_MANAGER);
    expect(r.status).toBe(400);
    expect(r.body.message).toMatch(/^error strict decoding YAML: .*\n\s*line 8: key "a" already set in map$/);
    expect(cluster.kubectl(['get', 'configmap', 'duplicate-field', '-n', ns]).status).not.toBe(0);
  });
});

describe('the ExternalSecret of auth.externalSecret on the real API server', () => {
  // Neither environment file uses it, so dist/ holds none: render both key styles the chart supports.
  test.each<[string, { remoteKey?: string; remoteKeyPrefix?: string; infinispan?: boolean }]>([
    ['one remote secret with a property per password', { remoteKey: 'prod/session-database' }],
    ['one remote secret per password', { remoteKeyPrefix: 'session-database/', infinispan: true }],
  ])('%s is accepted by the served external-secrets.io CRD with strict field validation', async (_name, { infinispan, ...keys }) => {
    const ns = cluster.namespace('external-secret');
    const values = {
      namespace: { name: ns, create: false },
      infinispan: { enabled: Boolean(infinispan) },
      auth: { externalSecret: { enabled: true, secretStoreRef: { name: 'vault', kind: 'ClusterSecretStore' }, refreshInterval: '15m', ...keys } },
    };
    const externalSecrets = renderValues(values).filter((o) => o.kind === 'ExternalSecret');
    expect(externalSecrets).toHaveLength(1);
    const r = await cluster.api.applyStrict(YAML.stringify(externalSecrets[0]), FIELD_MANAGER);
    expect({ status: r.status, message: r.body?.message ?? '' }).toEqual({ status: 201, message: '' });
    const stored = cluster.json(['get', 'externalsecret', externalSecrets[0].metadata.name, '-n', ns]);
    expect(stored.apiVersion).toBe('external-secrets.io/v1');
    expect(stored.spec.target.name).toBe(externalSecrets[0].spec.target.name);
  });
});
