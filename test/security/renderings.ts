import * as fs from 'fs';
import * as path from 'path';
import { HELM_MAJORS } from '../../scripts/helm';
import { PROJECT_ROOT } from '../../src/render/assets';
import { helmTemplate, renderedObjects } from '../support/helm';
import { K8sObject, loadDist, renderValues } from '../support/manifests';

/** Every environment with a values file (and so a dist/ directory). */
export const ENVIRONMENTS = fs
  .readdirSync(path.join(PROJECT_ROOT, 'values'))
  .filter((f) => f.endsWith('.yaml'))
  .map((f) => f.slice(0, -'.yaml'.length))
  .sort();

export interface Rendering {
  /** e.g. dist/production, helm3 values/production.yaml */
  readonly label: string;
  readonly env: string;
  readonly objects: K8sObject[];
}

/** dist/<env> of every env plus `helm template -f values/<env>.yaml` with Helm 3 and 4. */
export function allRenderings(): Rendering[] {
  const out: Rendering[] = [];
  for (const env of ENVIRONMENTS) {
    out.push({ label: `dist/${env}`, env, objects: loadDist(env) });
    for (const major of HELM_MAJORS) {
      out.push({ label: `helm${major} values/${env}.yaml`, env, objects: renderedObjects(helmTemplate(major, `values/${env}.yaml`)) });
    }
  }
  return out;
}

/** Values of a Helm-only install: chart defaults plus the one required key (passwords are generated). */
export const HELM_DEFAULTS_VALUES = { networkPolicy: { clients: { podSelector: { 'session-database/client': 'true' } } } };

/**
 * Optional workloads the env files leave off, so their pods are checked too:
 * the chart's own monitoring stack, Infinispan (with an ExternalSecret for the passwords) and the
 * backup Job's S3 upload container.
 */
export const VARIANT_VALUES = {
  'standalone monitoring + Infinispan': {
    namespace: { name: 'sessions' },
    auth: { externalSecret: { enabled: true, secretStoreRef: { name: 'vault' }, remoteKey: 'sessions' } },
    monitoring: {
      mode: 'standalone',
      standalone: {
        grafana: { adminSecret: 'grafana-admin' },
        ingress: { enabled: true, host: 'grafana.example.com', tlsSecret: 'grafana-tls' },
        alertmanager: { configSecret: 'am-config' },
      },
    },
    infinispan: { enabled: true },
    maintenance: { backup: { s3: { enabled: true, bucket: 'session-backups', endpoint: 'https://s3.example.com', credentials: { existingSecret: 's3-backup' } } } },
  },
};

/** Also the chart with its defaults (generated Secret) and the variants, in memory and with both Helm versions. */
export function allRenderingsWithChartDefaults(): Rendering[] {
  return [
    ...allRenderings(),
    ...HELM_MAJORS.map((major) => ({
      label: `helm${major} chart defaults`,
      env: 'chart-defaults',
      objects: renderedObjects(helmTemplate(major, HELM_DEFAULTS_VALUES)),
    })),
    ...Object.entries(VARIANT_VALUES).flatMap(([name, values]) => [
      { label: `synth ${name}`, env: 'variant', objects: renderValues(values) },
      ...HELM_MAJORS.map((major) => ({ label: `helm${major} ${name}`, env: 'variant', objects: renderedObjects(helmTemplate(major, values)) })),
    ]),
  ];
}

export interface PodSpecRef {
  readonly owner: K8sObject;
  /** JSON path of the pod spec inside the object. */
  readonly path: string;
  readonly spec: any;
  readonly metadata: any;
}

/**
 * Every pod spec anywhere in any object (Pod, Deployment, StatefulSet, DaemonSet, Job,
 * CronJob, a CRD that embeds one...): any map with a `containers` list. Kinds added
 * later are covered without changing the tests.
 */
export function allPodSpecs(objects: readonly K8sObject[]): PodSpecRef[] {
  const out: PodSpecRef[] = [];
  const walk = (node: any, parent: any, path: string, owner: K8sObject) => {
    if (Array.isArray(node)) {
      node.forEach((n, i) => walk(n, undefined, `${path}[${i}]`, owner));
      return;
    }
    if (typeof node !== 'object' || node === null) return;
    if (Array.isArray(node.containers)) {
      out.push({ owner, path, spec: node, metadata: parent?.metadata ?? {} });
      return;
    }
    for (const [k, v] of Object.entries(node)) walk(v, node, path ? `${path}.${k}` : k, owner);
  };
  for (const o of objects) walk(o, undefined, '', o);
  return out;
}
