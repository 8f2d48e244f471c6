import * as fs from 'fs';
import * as path from 'path';
import { KubeApi } from './kube-api';

/**
 * JSON schemas for kubeconform, generated from a live API server instead of downloaded, in the two
 * layouts kubeconform users know:
 *   <dir>/v<version>-standalone-strict/<kind><-group-version>.json   built-in kinds, from /openapi/v3
 *                                                                    (kubeconform's default location's layout)
 *   <dir>/<group>/<kind>_<version>.json                              custom resources, from the installed CRDs
 *                                                                    (the CRDs-catalog layout)
 * "strict" as in kubeconform's -strict schemas: an object with declared properties admits no other.
 */
type Schema = Record<string, any>;

/** Rewrites OpenAPI v3 schema dialect into JSON Schema (2020-12), strict. */
function toJsonSchema(schema: Schema, refPrefix: string): Schema {
  if (Array.isArray(schema)) return schema.map((s) => toJsonSchema(s, refPrefix)) as any;
  if (typeof schema !== 'object' || schema === null) return schema;
  const out: Schema = {};
  for (const [key, value] of Object.entries(schema)) {
    if (key === '$ref' && typeof value === 'string') out.$ref = value.replace('#/components/schemas/', refPrefix);
    else if (['properties', '$defs', 'patternProperties'].includes(key)) {
      out[key] = Object.fromEntries(Object.entries(value as Schema).map(([k, v]) => [k, toJsonSchema(v as Schema, refPrefix)]));
    } else if (typeof value === 'object' && value !== null) out[key] = toJsonSchema(value as Schema, refPrefix);
    else out[key] = value;
  }
  // int-or-string fields (ports, maxUnavailable, …) accept either; quantities accept numbers.
  if (out['x-kubernetes-int-or-string'] === true || out.format === 'int-or-string') {
    delete out.type;
    delete out.format;
    out.anyOf = [{ type: 'integer' }, { type: 'string' }];
  }
  if (out.nullable === true && typeof out.type === 'string') out.type = [out.type, 'null'];
  if (out.properties && out.additionalProperties === undefined && out['x-kubernetes-preserve-unknown-fields'] !== true) {
    out.additionalProperties = false;
  }
  return out;
}

const QUANTITY = 'io.k8s.apimachinery.pkg.api.resource.Quantity';

/** Every schema name a schema refers to, transitively. */
function closure(root: string, schemas: Record<string, Schema>): Set<string> {
  const seen = new Set<string>();
  const visit = (name: string) => {
    if (seen.has(name)) return;
    seen.add(name);
    const walk = (s: unknown): void => {
      if (Array.isArray(s)) s.forEach(walk);
      else if (s && typeof s === 'object') {
        for (const [k, v] of Object.entries(s)) {
          if (k === '$ref' && typeof v === 'string' && v.startsWith('#/components/schemas/')) visit(v.slice('#/components/schemas/'.length));
          else walk(v);
        }
      }
    };
    walk(schemas[name]);
  };
  visit(root);
  return seen;
}

function kindSuffix(group: string, version: string): string {
  return group ? `-${group.split('.')[0].toLowerCase()}-${version.toLowerCase()}` : `-${version.toLowerCase()}`;
}

export interface GeneratedSchemas {
  dir: string;
  builtIn: number;
  custom: number;
}

export async function writeKubeconformSchemas(api: KubeApi, dir: string, kubernetesVersion: string): Promise<GeneratedSchemas> {
  const crds = (await api.request('GET', '/apis/apiextensions.k8s.io/v1/customresourcedefinitions')).body.items as any[];
  const customGroups = new Set(crds.map((c) => c.spec.group));
  const builtInDir = path.join(dir, `${kubernetesVersion}-standalone-strict`);
  fs.mkdirSync(builtInDir, { recursive: true });

  const index = (await api.request('GET', '/openapi/v3')).body.paths as Record<string, { serverRelativeURL: string }>;
  let builtIn = 0;
  for (const [groupVersion, { serverRelativeURL }] of Object.entries(index)) {
    const group = groupVersion.startsWith('apis/') ? groupVersion.split('/')[1] : '';
    if (customGroups.has(group)) continue;
    const doc = (await api.request('GET', serverRelativeURL)).body;
    const schemas: Record<string, Schema> = doc?.components?.schemas ?? {};
    if (schemas[QUANTITY]) schemas[QUANTITY] = { ...schemas[QUANTITY], type: undefined, anyOf: [{ type: 'string' }, { type: 'number' }] };
    for (const [name, schema] of Object.entries(schemas)) {
      for (const gvk of (schema['x-kubernetes-group-version-kind'] ?? []) as { group: string; version: string; kind: string }[]) {
        const wanted = groupVersion === (gvk.group ? `apis/${gvk.group}/${gvk.version}` : `api/${gvk.version}`);
        if (!wanted) continue;
        const defs = Object.fromEntries([...closure(name, schemas)].filter((n) => n !== name).map((n) => [n, toJsonSchema(schemas[n], '#/$defs/')]));
        const file = path.join(builtInDir, `${gvk.kind.toLowerCase()}${kindSuffix(gvk.group, gvk.version)}.json`);
        fs.writeFileSync(file, JSON.stringify({ ...toJsonSchema(schema, '#/$defs/'), $defs: defs }));
        builtIn++;
      }
    }
  }

  let custom = 0;
  for (const crd of crds) {
    for (const version of crd.spec.versions as any[]) {
      const schema = version.schema?.openAPIV3Schema;
      if (!schema) continue;
      const file = path.join(dir, crd.spec.group, `${crd.spec.names.kind.toLowerCase()}_${version.name}.json`);
      fs.mkdirSync(path.dirname(file), { recursive: true });
      fs.writeFileSync(file, JSON.stringify(toJsonSchema(schema, '#/$defs/')));
      custom++;
    }
  }
  return { dir, builtIn, custom };
}

/** kubeconform's -schema-location arguments for that folder (the same two layouts as in the README). */
export function schemaLocations(dir: string): string[] {
  return ['-schema-location', dir, '-schema-location', path.join(dir, '{{ .Group }}/{{ .ResourceKind }}_{{ .ResourceAPIVersion }}.json')];
}
