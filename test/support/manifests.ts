import * as fs from 'fs';
import * as path from 'path';
import * as YAML from 'yaml';
import { validate } from '../../src/config/load';
import { PROJECT_ROOT } from '../../src/render/assets';
import { environmentFiles, releaseInfo } from '../../src/synth/outputs';

/** Base name of the objects of dist/ and of in-memory renders: the release name (no fullnameOverride). */
export const FULLNAME = releaseInfo().releaseName;

export interface K8sObject {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; labels?: Record<string, string>; annotations?: Record<string, string> };
  [key: string]: any;
}

export function parseDocuments(text: string): K8sObject[] {
  return YAML.parseAllDocuments(text)
    .map((d) => d.toJS() as K8sObject)
    .filter((o) => o !== null && o !== undefined);
}

/** Sub folder of dist/<env>/ with the helm test hooks (the chart's templates/tests/), which `kubectl apply -f dist/<env>/` leaves out. */
export const DIST_TESTS_DIR = 'tests';

/** The committed/synthesized manifests of an environment, read from dist/<env>/ and its tests/ folder (the helm test Pods). */
export function loadDist(env: string, root = PROJECT_ROOT): K8sObject[] {
  const dir = path.join(root, 'dist', env);
  const yamlFiles = (d: string) => (fs.existsSync(d) ? fs.readdirSync(d).filter((f) => f.endsWith('.yaml')).sort().map((f) => path.join(d, f)) : []);
  return [...yamlFiles(dir), ...yamlFiles(path.join(dir, DIST_TESTS_DIR))].flatMap((f) => parseDocuments(fs.readFileSync(f, 'utf8')));
}

/** Manifests of an arbitrary values object, synthesized in memory (validated like a values file). */
export function renderValues(values: unknown, name = 'test'): K8sObject[] {
  const config = validate(values, `values/${name}.yaml`);
  const files = environmentFiles({ name, file: `values/${name}.yaml`, config }, releaseInfo());
  return [...files.values()].flatMap(parseDocuments);
}

function mergeValues(a: any, b: any): any {
  if (typeof a !== 'object' || a === null || typeof b !== 'object' || b === null || Array.isArray(b)) return b;
  const out = { ...a };
  for (const [k, v] of Object.entries(b)) out[k] = mergeValues(a[k], v);
  return out;
}

/** Manifests of values/<env>.yaml with overrides merged in, rendered in memory (e.g. production with { tls: { enabled: false } }). */
export function renderEnvironment(env: string, overrides: object = {}): K8sObject[] {
  const base = YAML.parse(fs.readFileSync(path.join(PROJECT_ROOT, 'values', `${env}.yaml`), 'utf8'), { version: '1.1' });
  return renderValues(mergeValues(base, overrides), `${env}-variant`);
}

export function findObject(objects: readonly K8sObject[], kind: string, name: string): K8sObject {
  const found = objects.find((o) => o.kind === kind && o.metadata.name === name);
  if (!found) throw new Error(`no ${kind} ${name} among ${objects.map((o) => `${o.kind}/${o.metadata.name}`).join(', ')}`);
  return found;
}

/** data of the ConfigMap with that name. */
export function configMapData(objects: readonly K8sObject[], name: string): Record<string, string> {
  return findObject(objects, 'ConfigMap', name).data;
}

/** Every pod template (workloads and CronJobs) with the object it belongs to. */
export function podTemplates(objects: readonly K8sObject[]): { owner: K8sObject; spec: any; metadata: any }[] {
  const templates: { owner: K8sObject; spec: any; metadata: any }[] = [];
  for (const o of objects) {
    const t = o.kind === 'CronJob' ? o.spec?.jobTemplate?.spec?.template : o.kind === 'Pod' ? o : o.spec?.template;
    if (t?.spec?.containers) templates.push({ owner: o, spec: t.spec, metadata: t.metadata ?? {} });
  }
  return templates;
}
