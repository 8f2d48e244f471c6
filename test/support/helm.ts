import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import * as YAML from 'yaml';
import { PROJECT_ROOT } from '../../src/render/assets';
import { HelmMajor, helmPath } from '../../scripts/helm';
import { FULLNAME, K8sObject, parseDocuments } from './manifests';
import { CUSTOM_RESOURCE_APIS, apiVersionKind } from '../../src/render/custom-resources';

export const CHART = path.join(PROJECT_ROOT, 'charts', 'session-database');
/** The release name dist/ assumes, so its objects are named FULLNAME-<suffix> like the chart's. */
export const RELEASE = FULLNAME;

export interface HelmResult {
  readonly status: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/**
 * A values file both Helms read as exactly `values`: JSON (every string quoted, so a bare off or null
 * never turns into a boolean or null), with NEL, LS and PS escaped, which Helm 3's YAML 1.1 parser
 * would read as line breaks even inside quotes.
 */
export function helmValuesText(values: unknown): string {
  return JSON.stringify(values, null, 1).replace(/[\u0085\u2028\u2029]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`) + '\n';
}

export function helm(major: HelmMajor, args: string[]): HelmResult {
  const r = spawnSync(helmPath(major), args, { encoding: 'utf8', cwd: PROJECT_ROOT, timeout: 60_000 });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

/**
 * `--api-versions` of every custom resource the chart renders: the tests compare the chart with dist/,
 * which always has them, so Helm renders as on a cluster with the operators (as Argo CD passes its APIs).
 */
export const OPERATOR_APIS = CUSTOM_RESOURCE_APIS.flatMap((api) => ['--api-versions', apiVersionKind(api)]);

/** `helm template` of values (a file path or an object), release and namespace as dist/ assumes, on a cluster with the operators. */
export function helmTemplate(major: HelmMajor, values: string | object, extraArgs: string[] = [], chart = CHART): HelmResult & { namespace: string } {
  const parsed: any = typeof values === 'string' ? (YAML.parse(fs.readFileSync(path.resolve(PROJECT_ROOT, values), 'utf8')) ?? {}) : values;
  const namespace = parsed?.namespace?.name || 'default';
  if (typeof values === 'string') return { ...helm(major, ['template', RELEASE, chart, '-f', values, '-n', namespace, ...OPERATOR_APIS, ...extraArgs]), namespace };
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sd-values-'));
  try {
    const file = path.join(dir, 'values.yaml');
    fs.writeFileSync(file, helmValuesText(values));
    return { ...helm(major, ['template', RELEASE, chart, '-f', file, '-n', namespace, ...OPERATOR_APIS, ...extraArgs]), namespace };
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

export function renderedObjects(result: HelmResult): K8sObject[] {
  if (result.status !== 0) throw new Error(`helm failed (${result.status}):\n${result.stderr}`);
  return parseDocuments(result.stdout);
}

/**
 * Objects keyed by kind/name, for comparison. The only field allowed to differ is the
 * managed-by label (Helm sets "Helm" for what it manages, dist/ says "cdk8s").
 */
export function byName(objects: readonly K8sObject[]): Record<string, K8sObject> {
  const out: Record<string, K8sObject> = {};
  for (const o of objects) {
    const copy = structuredClone(o);
    for (const labels of [copy.metadata?.labels, copy.spec?.template?.metadata?.labels, copy.spec?.jobTemplate?.spec?.template?.metadata?.labels]) {
      if (labels) delete labels['app.kubernetes.io/managed-by'];
    }
    const key = `${o.kind}/${o.metadata.name}`;
    if (out[key]) throw new Error(`duplicate object ${key}`);
    out[key] = copy;
  }
  return out;
}
