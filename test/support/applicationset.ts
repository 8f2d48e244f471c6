import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import * as YAML from 'yaml';
import { helmPath } from '../../scripts/helm';
import { K8sObject } from './manifests';

/**
 * What the ApplicationSet controller makes of one element: the template and templatePatch rendered with
 * Go text/template + sprig (Helm's engine, which Argo CD's goTemplate also uses), the patch merged in,
 * and the Application placed in the ApplicationSet's namespace.
 */
export function renderApplicationSet(set: K8sObject, element: Record<string, unknown>): K8sObject {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sd-appset-'));
  try {
    fs.mkdirSync(path.join(dir, 'templates'));
    fs.writeFileSync(path.join(dir, 'Chart.yaml'), 'apiVersion: v2\nname: appset\nversion: 0.0.0\n');
    const wrap = (text: string) => `{{- with .Values }}\n${text}{{- end }}\n`;
    fs.writeFileSync(path.join(dir, 'templates', 'a-template.yaml'), wrap(YAML.stringify(set.spec.template)));
    fs.writeFileSync(path.join(dir, 'templates', 'b-patch.yaml'), wrap(set.spec.templatePatch));
    fs.writeFileSync(path.join(dir, 'element.json'), JSON.stringify(element));
    const r = spawnSync(helmPath(3), ['template', 'x', dir, '-f', path.join(dir, 'element.json')], { encoding: 'utf8', timeout: 60_000 });
    if (r.status !== 0) throw new Error(`helm template failed: ${r.stderr}`);
    const docs = YAML.parseAllDocuments(r.stdout).map((d) => d.toJS());
    const [template, patch] = docs;
    const app = merge(template, patch);
    return { apiVersion: 'argoproj.io/v1alpha1', kind: 'Application', ...app, metadata: { ...app.metadata, namespace: set.metadata.namespace } };
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

function merge(a: any, b: any): any {
  if (b === undefined || b === null) return a;
  if (typeof a !== 'object' || a === null || Array.isArray(a) || typeof b !== 'object' || Array.isArray(b)) return b;
  const out: any = { ...a };
  for (const [k, v] of Object.entries(b)) out[k] = merge(a[k], v);
  return out;
}
