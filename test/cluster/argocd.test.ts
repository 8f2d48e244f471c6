import * as fs from 'fs';
import * as path from 'path';
import * as YAML from 'yaml';
import { listEnvironments } from '../../src/config/load';
import { PROJECT_ROOT } from '../../src/render/assets';
import { renderApplicationSet } from '../support/applicationset';
import { useCluster } from '../support/cluster';
import { K8sObject } from '../support/manifests';

/**
 * Issue 12, proof 6: argocd/*.yaml is accepted by the real Argo CD CRDs with strict field validation, and
 * the Applications the ApplicationSet generates are accepted too and have the shape the README describes.
 * On the local cluster the objects are stored (no Argo CD runs to act on them); on another cluster
 * (SESSION_DATABASE_KUBECONFIG) they are sent as server-side dry runs, so a real Argo CD never syncs them.
 */
const cluster = useCluster();
jest.setTimeout(600_000);
const ARGOCD = path.join(PROJECT_ROOT, 'argocd');
const environments = listEnvironments(path.join(PROJECT_ROOT, 'values'));
const FIELD_MANAGER = 'session-database-test';
let createdNamespace = false;

beforeAll(() => {
  if (cluster.kubectl(['get', 'namespace', 'argocd']).status !== 0) {
    cluster.kubectlOk(['create', 'namespace', 'argocd']);
    createdNamespace = !cluster.local;
  }
});
afterAll(() => {
  if (createdNamespace) cluster.kubectl(['delete', 'namespace', 'argocd', '--wait=false']);
});

async function apply(text: string): Promise<K8sObject> {
  const r = await cluster.api.applyStrict(text, FIELD_MANAGER, !cluster.local);
  if (r.status !== 200 && r.status !== 201) throw new Error(`HTTP ${r.status}: ${r.body?.message ?? r.text}`);
  return r.body;
}

/** The object as the API server returned it, without what the server adds. */
function asWritten(o: any): K8sObject {
  const { metadata, status: _status, ...rest } = o;
  const { name, namespace, labels, annotations, finalizers } = metadata;
  return { ...rest, metadata: { name, namespace, labels, ...(annotations ? { annotations } : {}), ...(finalizers ? { finalizers } : {}) } };
}

test.each(fs.readdirSync(ARGOCD).filter((f) => f.endsWith('.yaml')).sort())('argocd/%s is accepted with strict field validation and stored as written', async (file) => {
  const text = fs.readFileSync(path.join(ARGOCD, file), 'utf8');
  const stored = await apply(text);
  expect(asWritten(stored)).toEqual(YAML.parse(text));
});

describe('the Applications the ApplicationSet generates', () => {
  const set = YAML.parse(fs.readFileSync(path.join(ARGOCD, 'applicationset.yaml'), 'utf8')) as K8sObject;
  const elements = set.spec.generators[0].list.elements as Record<string, any>[];

  test('are one per environment in values/', () => {
    expect(elements.map((e) => e.env).sort()).toEqual([...environments].sort());
  });

  test.each(environments)('the %s one is accepted with strict field validation and has the README\'s shape', async (env) => {
    const generated = renderApplicationSet(set, elements.find((e) => e.env === env)!);
    // Sent as server-side dry runs: argocd/<env>.yaml already holds an Application of that name (README: apply one or the other).
    const r = await cluster.api.applyStrict(YAML.stringify(generated), FIELD_MANAGER, true);
    expect({ status: r.status, message: r.body?.message }).toEqual({ status: 200, message: undefined });
    const app = asWritten(r.body) as any;
    const values = YAML.parse(fs.readFileSync(path.join(PROJECT_ROOT, 'values', `${env}.yaml`), 'utf8'));
    // README "2b. With Argo CD": the chart from repoURL at targetRevision with values/<env>.yaml, release
    // session-database, into namespace.name, automated sync with prune and selfHeal, CreateNamespace and
    // ServerSideApply, retries with backoff, the resources finalizer, the namespace labelled "restricted" by
    // Argo CD and the chart's own Namespace left out.
    expect(app.metadata.name).toBe(`session-database-${env}`);
    expect(app.metadata.finalizers).toEqual(['resources-finalizer.argocd.argoproj.io']);
    expect(app.spec.source).toEqual({
      repoURL: values.argocd.repoURL,
      targetRevision: 'main',
      path: 'charts/session-database',
      helm: { releaseName: 'session-database', valueFiles: [`../../values/${env}.yaml`], parameters: [{ name: 'namespace.create', value: 'false' }] },
    });
    expect(app.spec.destination).toEqual({ server: 'https://kubernetes.default.svc', namespace: values.namespace.name });
    expect(app.spec.syncPolicy.automated).toEqual({ prune: true, selfHeal: true });
    expect(app.spec.syncPolicy.syncOptions).toEqual(expect.arrayContaining(['CreateNamespace=true', 'ServerSideApply=true']));
    expect(app.spec.syncPolicy.retry.backoff).toEqual({ duration: '10s', factor: 2, maxDuration: '3m' });
    expect(app.spec.syncPolicy.managedNamespaceMetadata.labels['pod-security.kubernetes.io/enforce']).toBe('restricted');
    // And it is the very Application of argocd/<env>.yaml.
    expect(app).toEqual(YAML.parse(fs.readFileSync(path.join(ARGOCD, `${env}.yaml`), 'utf8')));
  });
});
