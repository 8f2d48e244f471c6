import * as YAML from 'yaml';
import { FULLNAME, K8sObject, configMapData, findObject, renderValues } from '../support/manifests';

/** The smallest valid values (the rules demand a Secret and client selectors) plus Infinispan. */
export const BASE_VALUES = {
  namespace: { name: 'sessions' },
  auth: { existingSecret: 'session-auth' },
  networkPolicy: { clients: { podSelector: { 'session-database/client': 'true' } } },
};

function merge(a: any, b: any): any {
  if (typeof a !== 'object' || a === null || typeof b !== 'object' || b === null || Array.isArray(b)) return b;
  const out = { ...a };
  for (const [k, v] of Object.entries(b)) out[k] = k in a ? merge(a[k], v) : v;
  return out;
}

/** Values with infinispan.enabled and any overrides (deep-merged). */
export function infinispanValues(overrides: object = {}): any {
  return merge(merge(BASE_VALUES, { infinispan: { enabled: true } }), overrides);
}

export function renderInfinispan(overrides: object = {}): K8sObject[] {
  return renderValues(infinispanValues(overrides));
}

export function serverConfigText(objects: readonly K8sObject[]): string {
  return configMapData(objects, `${FULLNAME}-infinispan-config`)['infinispan.yaml'];
}

export function serverConfig(objects: readonly K8sObject[]): any {
  return YAML.parse(serverConfigText(objects));
}

export function statefulSet(objects: readonly K8sObject[]): K8sObject {
  return findObject(objects, 'StatefulSet', `${FULLNAME}-infinispan`);
}

export const infinispanObjects = (objects: readonly K8sObject[]) =>
  objects.filter((o) => o.metadata.labels?.['app.kubernetes.io/component']?.startsWith('infinispan'));
