import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import * as YAML from 'yaml';
import {
  ARGOCD_DIR,
  argocdFiles,
  ignoreDifferencesFor,
  NAMESPACE_CREATE_KEY,
  POD_SECURITY_LABELS,
  RESOURCES_FINALIZER,
} from '../../src/argocd/applications';
import { CHART_DIR } from '../../src/chart/chart-files';
import { ConfigError, Environment, listEnvironments, validate } from '../../src/config/load';
import { PROJECT_ROOT } from '../../src/render/assets';
import { ManifestObject, environmentFiles, releaseInfo, renderEnvironment, synthesize } from '../../src/synth/outputs';
import { helmPath } from '../../scripts/helm';
import { spawnSync } from 'child_process';
import { findObject, K8sObject, parseDocuments } from '../support/manifests';
import { valueDocs } from '../../src/chart/values-docs';
import { schemaErrors, UnknownFieldChecker } from '../support/kubernetes-schema';
import { OPERATOR_APIS, byName } from '../support/helm';
import { renderApplicationSet } from '../support/applicationset';

const release = releaseInfo();
const result = synthesize();
const argocd = new Map([...result.files].filter(([file]) => file.startsWith(`${ARGOCD_DIR}/`)));
const parse = (text: string) => YAML.parse(text) as K8sObject;
const distObjects = (env: string): K8sObject[] =>
  [...result.files].filter(([file]) => file.startsWith(`dist/${env}/`) && file.endsWith(`.yaml`)).flatMap(([, text]) => parseDocuments(text));
const envNames = listEnvironments(path.join(PROJECT_ROOT, 'values'));

function environment(name: string, values: Record<string, unknown>): Environment {
  const file = `values/${name}.yaml`;
  return { name, file, config: validate(values, file) };
}

/** argocd/ of in-memory environments, each synthesized like dist/ (extra objects appended to its dist file). */
function argocdOf(envs: Environment[], extra: Record<string, object[]> = {}): Map<string, K8sObject> {
  const rendered = envs.map((env) => {
    const { files } = renderEnvironment(env, release);
    const withExtra = new Map(files);
    for (const o of extra[env.name] ?? []) withExtra.set(`dist/${env.name}/extra-${withExtra.size}.yaml`, [o as ManifestObject]);
    return { env, files: withExtra };
  });
  return new Map([...argocdFiles(rendered, release)].map(([f, text]) => [f, parse(text)]));
}

const REPO = 'https://github.com/example-org/session-database.git';

describe('argocd/ written by npm run synth', () => {
  test('holds one Application per environment in values/ and one ApplicationSet', () => {
    expect([...argocd.keys()].sort()).toEqual([`${ARGOCD_DIR}/applicationset.yaml`, ...envNames.map((e) => `${ARGOCD_DIR}/${e}.yaml`)].sort());
  });

  test('every object validates against the Argo CD CRD schema and has no unknown field', () => {
    const objects = [...argocd.values()].map(parse);
    const checker = new UnknownFieldChecker(objects);
    for (const o of objects) {
      expect(schemaErrors(o)).toEqual([]);
      expect(checker.check(o)).toEqual([]);
    }
  });

  test('the schema check rejects a broken Application and the unknown-field check a misspelt key', () => {
    const app = parse(argocd.get(`${ARGOCD_DIR}/production.yaml`)!);
    const wrongType = structuredClone(app);
    wrongType.spec.syncPolicy.automated.prune = 'yes';
    expect(schemaErrors(wrongType).join('\n')).toMatch(/prune/);
    const typo = structuredClone(app);
    typo.spec.syncPolicy.syncOption = typo.spec.syncPolicy.syncOptions;
    expect(new UnknownFieldChecker([typo]).check(typo)).toEqual(['Application/session-database-production.spec.syncPolicy.syncOption: unknown field']);
  });

  test.each(envNames)('the %s Application deploys the chart of this repo with the values file of the environment', (env) => {
    const config = result.environments.find((e) => e.name === env)!.config;
    const app = parse(argocd.get(`${ARGOCD_DIR}/${env}.yaml`)!);
    expect(app.metadata).toMatchObject({ name: `session-database-${env}`, namespace: config.argocd.namespace, finalizers: [RESOURCES_FINALIZER] });
    expect(app.spec.project).toBe(config.argocd.project);
    expect(app.spec.destination).toEqual({ server: config.argocd.destinationServer, namespace: config.namespace.name || 'default' });
    expect(app.spec.source).toMatchObject({ repoURL: config.argocd.repoURL, targetRevision: config.argocd.targetRevision, path: CHART_DIR });
    expect(app.spec.source.helm.releaseName).toBe(release.releaseName);
    // Argo CD resolves valueFiles from the chart directory: it must land on this environment's file.
    const [valueFile] = app.spec.source.helm.valueFiles;
    expect(path.relative(PROJECT_ROOT, path.resolve(PROJECT_ROOT, app.spec.source.path, valueFile))).toBe(`values/${env}.yaml`);
    expect(fs.existsSync(path.join(PROJECT_ROOT, app.spec.source.path, 'Chart.yaml'))).toBe(true);
  });

  test.each(envNames)('the %s Application syncs automatically, creates a restricted namespace and retries with backoff', (env) => {
    const { syncPolicy } = parse(argocd.get(`${ARGOCD_DIR}/${env}.yaml`)!).spec;
    expect(syncPolicy.automated).toEqual({ prune: true, selfHeal: true });
    expect(syncPolicy.syncOptions).toEqual(expect.arrayContaining(['CreateNamespace=true', 'ServerSideApply=true']));
    expect(syncPolicy.retry.limit).toBeGreaterThan(0);
    expect(syncPolicy.retry.backoff).toMatchObject({ factor: 2 });
    // Argo CD creates the namespace: deleting the Application must never delete it (Secret, PVCs).
    expect(syncPolicy.managedNamespaceMetadata.labels).toEqual(POD_SECURITY_LABELS);
    expect(syncPolicy.managedNamespaceMetadata.labels['pod-security.kubernetes.io/enforce']).toBe('restricted');
  });

  test.each(envNames)('the %s Application leaves the chart\'s Namespace out and helm then renders dist/ without it', (env) => {
    const app = parse(argocd.get(`${ARGOCD_DIR}/${env}.yaml`)!);
    const dist = distObjects(env);
    const distNamespaces = dist.filter((o) => o.kind === 'Namespace');
    const parameters = app.spec.source.helm.parameters ?? [];
    if (distNamespaces.length === 0) {
      expect(parameters).toEqual([]);
      return;
    }
    expect(parameters).toEqual([{ name: NAMESPACE_CREATE_KEY, value: 'false' }]);
    expect(valueDocs().map((d) => d.path)).toContain(NAMESPACE_CREATE_KEY);
    // Argo CD renders with the API versions its destination cluster serves (the operators' among them).
    const args = ['template', release.releaseName, app.spec.source.path, '-n', app.spec.destination.namespace, ...OPERATOR_APIS];
    for (const f of app.spec.source.helm.valueFiles) args.push('-f', path.join(app.spec.source.path, f));
    for (const p of parameters) args.push('--set', `${p.name}=${p.value}`);
    const r = helmInCheckout(args);
    expect(r.stderr).toBe('');
    const rendered = YAML.parseAllDocuments(r.stdout).map((d) => d.toJS() as K8sObject).filter(Boolean);
    // What Argo CD deploys is dist/ without the Namespace, object for object (Helm says managed-by Helm).
    expect(byName(rendered)).toEqual(byName(dist.filter((o) => o.kind !== 'Namespace')));
  });

  test.each(envNames)('the %s Application ignores exactly the replicas its HPAs manage', (env) => {
    const app = parse(argocd.get(`${ARGOCD_DIR}/${env}.yaml`)!);
    const targets = distObjects(env)
      .filter((o) => o.kind === 'HorizontalPodAutoscaler')
      .map((h) => ({ group: h.spec.scaleTargetRef.apiVersion.split('/')[0], kind: h.spec.scaleTargetRef.kind, name: h.spec.scaleTargetRef.name, jsonPointers: ['/spec/replicas'] }));
    expect(app.spec.ignoreDifferences ?? []).toEqual(targets);
    for (const t of targets) expect(findObject(distObjects(env), t.kind, t.name).kind).toBe('StatefulSet');
    expect(app.spec.syncPolicy.syncOptions).toContain('RespectIgnoreDifferences=true');
  });

  test.each(envNames)('in %s, what Helm keeps on uninstall Argo CD keeps too (it ignores helm.sh/resource-policy)', (env) => {
    const kept = distObjects(env).filter((o) => o.metadata.annotations?.['helm.sh/resource-policy'] === 'keep');
    const unprotected = kept
      .filter((o) => !/(^|,)\s*Delete=false\s*(,|$)/.test(o.metadata.annotations?.['argocd.argoproj.io/sync-options'] ?? ''))
      .map((o) => `${o.kind}/${o.metadata.name}: add the annotation argocd.argoproj.io/sync-options: Delete=false`);
    expect(unprotected).toEqual([]);
  });

  test('the ApplicationSet lists every environment with a Go template that fails on missing keys', () => {
    const set = parse(argocd.get(`${ARGOCD_DIR}/applicationset.yaml`)!);
    expect(set.spec.goTemplate).toBe(true);
    expect(set.spec.goTemplateOptions).toEqual(['missingkey=error']);
    const elements = set.spec.generators[0].list.elements as Record<string, unknown>[];
    expect(elements.map((e) => e.env)).toEqual(envNames);
    // missingkey=error: every key the template and the patch use is in every element.
    const used = new Set<string>();
    const text = JSON.stringify(set.spec.template) + set.spec.templatePatch;
    for (const action of text.match(/\{\{[^}]*\}\}/g) ?? []) for (const m of action.matchAll(/(?<![\w)])\.(\w+)/g)) used.add(m[1]);
    expect(used.size).toBeGreaterThan(5);
    for (const e of elements) expect([...used].filter((k) => !(k in e))).toEqual([]);
  });

  test.each(envNames)('the ApplicationSet renders, with Go templates and sprig as Argo CD does, exactly the %s Application', (env) => {
    const set = parse(argocd.get(`${ARGOCD_DIR}/applicationset.yaml`)!);
    const element = set.spec.generators[0].list.elements.find((e: any) => e.env === env);
    const generated = renderApplicationSet(set, element);
    const expected = parse(argocd.get(`${ARGOCD_DIR}/${env}.yaml`)!);
    expect(generated).toEqual(expected);
  });
});

describe('argocd options', () => {
  // values/dev.yaml is a valid environment whatever other keys become required; these tests change only argocd.
  const dev = YAML.parse(fs.readFileSync(path.join(PROJECT_ROOT, 'values', 'dev.yaml'), 'utf8'));
  const base = { ...dev, namespace: { name: 'sessions-qa' }, argocd: { repoURL: REPO } };

  test('source manifests syncs the rendered dist/<env>/ directory instead of the chart', () => {
    const env = environment('qa', { ...base, argocd: { ...base.argocd, source: 'manifests', targetRevision: 'v1.2.3', project: 'sessions' } });
    const out = argocdOf([env]);
    const app = out.get(`${ARGOCD_DIR}/qa.yaml`)!;
    const namespaceFiles = [...environmentFiles(env, release)].filter(([, text]) => /^kind: Namespace$/m.test(text)).map(([f]) => path.basename(f));
    expect(namespaceFiles).toEqual(['namespace.yaml']);
    expect(app.spec.source).toEqual({ repoURL: REPO, targetRevision: 'v1.2.3', path: 'dist/qa', directory: { recurse: false, exclude: 'namespace.yaml' } });
    expect(app.spec.syncPolicy.managedNamespaceMetadata.labels).toEqual(POD_SECURITY_LABELS);
    expect(app.spec.project).toBe('sessions');
    const set = out.get(`${ARGOCD_DIR}/applicationset.yaml`)!;
    expect(renderApplicationSet(set, set.spec.generators[0].list.elements[0])).toEqual(app);
  });

  test('an HPA target and webhook caBundles are ignored and the ignore is respected on sync', () => {
    const env = environment('qa', base);
    const hpa = {
      apiVersion: 'autoscaling/v2',
      kind: 'HorizontalPodAutoscaler',
      metadata: { name: 'x', namespace: 'sessions-qa' },
      spec: { scaleTargetRef: { apiVersion: 'apps/v1', kind: 'StatefulSet', name: 'session-database-redis' }, minReplicas: 3, maxReplicas: 5 },
    };
    const webhook = { apiVersion: 'admissionregistration.k8s.io/v1', kind: 'ValidatingWebhookConfiguration', metadata: { name: 'hook' }, webhooks: [] };
    const app = argocdOf([env], { qa: [hpa, webhook] }).get(`${ARGOCD_DIR}/qa.yaml`)!;
    expect(app.spec.ignoreDifferences).toEqual([
      { group: 'apps', kind: 'StatefulSet', name: 'session-database-redis', jsonPointers: ['/spec/replicas'] },
      { group: 'admissionregistration.k8s.io', kind: 'ValidatingWebhookConfiguration', name: 'hook', jqPathExpressions: ['.webhooks[]?.clientConfig.caBundle'] },
    ]);
    expect(app.spec.syncPolicy.syncOptions).toContain('RespectIgnoreDifferences=true');
    expect(schemaErrors(app)).toEqual([]);
    expect(new UnknownFieldChecker([app]).check(app)).toEqual([]);
  });

  test('without cluster-mutated objects nothing is ignored (selfHeal keeps reverting drift)', () => {
    const objects = [...environmentFiles(environment('qa', { ...base, redis: { ...base.redis, autoscaling: { enabled: false } } }), release).values()]
      .flatMap((t) => YAML.parseAllDocuments(t).map((d) => d.toJS()));
    expect(objects.length).toBeGreaterThan(5);
    expect(ignoreDifferencesFor(objects)).toEqual([]);
  });

  test('a manifests source whose Namespace shares a file with other objects keeps it and labels nothing itself', () => {
    const env = environment('qa', { ...base, namespace: { name: 'sessions-qa', create: false }, argocd: { repoURL: REPO, source: 'manifests' } });
    const mixed = [{ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'sessions-qa' } }, { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c' } }];
    const files = new Map(renderEnvironment(env, release).files);
    files.set('dist/qa/mixed.yaml', mixed);
    const out = new Map([...argocdFiles([{ env, files }], release)].map(([f, text]) => [f, parse(text)]));
    const app = out.get(`${ARGOCD_DIR}/qa.yaml`)!;
    expect(app.spec.syncPolicy.managedNamespaceMetadata).toBeUndefined();
    expect(app.spec.source.directory).toEqual({ recurse: false });
    const set = out.get(`${ARGOCD_DIR}/applicationset.yaml`)!;
    expect(renderApplicationSet(set, set.spec.generators[0].list.elements[0])).toEqual(app);
  });

  test('a missing repoURL is one clear error per environment', () => {
    const envs = [environment('a', { ...base, argocd: {} }), environment('b', base)];
    expect(() => argocdOf(envs)).toThrow(ConfigError);
    try {
      argocdOf(envs);
    } catch (e) {
      expect((e as ConfigError).problems).toEqual([
        'values/a.yaml: argocd.repoURL is "" but the argocd/ output needs the Git URL of this repository; set argocd.repoURL, e.g. https://github.com/example-org/session-database.git',
      ]);
    }
  });

  test('environments that disagree on the Argo CD namespace are an error (one ApplicationSet, one namespace)', () => {
    const envs = [environment('a', base), environment('b', { ...base, argocd: { repoURL: REPO, namespace: 'gitops' } })];
    expect(() => argocdOf(envs)).toThrow(/values\/a.yaml: argocd.namespace is "argocd", values\/b.yaml: argocd.namespace is "gitops"/);
  });

  test('a repoURL that is not a Git URL is rejected by the config schema', () => {
    expect(() => environment('a', { argocd: { repoURL: 'github.com/x' } })).toThrow(/argocd.repoURL is "github.com\/x" but must be a Git URL/);
  });
});

/** helm 3 in a temp checkout holding the in-memory chart (the same synth as `dist`) and values/, as Argo CD sees the repo. */
function helmInCheckout(args: string[]): { status: number | null; stdout: string; stderr: string } {
  const checkout = fs.mkdtempSync(path.join(os.tmpdir(), 'sd-argo-chart-'));
  try {
    for (const [file, text] of result.files) {
      if (!file.startsWith(`${CHART_DIR}/`)) continue;
      fs.mkdirSync(path.dirname(path.join(checkout, file)), { recursive: true });
      fs.writeFileSync(path.join(checkout, file), text);
    }
    fs.cpSync(path.join(PROJECT_ROOT, 'values'), path.join(checkout, 'values'), { recursive: true });
    const r = spawnSync(helmPath(3), args, { cwd: checkout, encoding: 'utf8', timeout: 60_000 });
    return { status: r.status, stdout: r.stdout, stderr: r.stderr };
  } finally {
    fs.rmSync(checkout, { recursive: true, force: true });
  }
}
