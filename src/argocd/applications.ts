import type { IApplication } from '@kubernetes-models/argo-cd/argoproj.io/v1alpha1/Application';
import type { IApplicationSet } from '@kubernetes-models/argo-cd/argoproj.io/v1alpha1/ApplicationSet';
import * as path from 'path';
import { CHART_DIR } from '../chart/chart-files';
import { POD_SECURITY_LABELS } from '../components/namespace';
import { CHART_NAME } from '../components/shared/naming';
import { ConfigError } from '../config/load';
import type { RenderedEnvironment } from '../synth/outputs';
import { ReleaseInfo } from '../render/context';
import { toYaml } from '../render/emit';

/**
 * argocd/: one Application per environment and one ApplicationSet over all of them, generated from the
 * same config as dist/ and the chart (names, namespaces, the values file of each environment).
 * Use either the Applications or the ApplicationSet in a cluster, not both (they create the same names).
 */

export const ARGOCD_DIR = 'argocd';
export const RESOURCES_FINALIZER = 'resources-finalizer.argocd.argoproj.io';
/** RespectIgnoreDifferences: a sync keeps what ignoreDifferences ignores (the replicas an HPA set) instead of reverting it. */
export const SYNC_OPTIONS = ['CreateNamespace=true', 'ServerSideApply=true', 'RespectIgnoreDifferences=true'] as const;
export const RETRY = { limit: 5, backoff: { duration: '10s', factor: 2, maxDuration: '3m' } } as const;

/** Namespace labels for Pod Security admission "restricted" (the chart's Namespace carries the same). */
export { POD_SECURITY_LABELS };

export const ENVIRONMENT_LABEL = `${CHART_NAME}/environment`;
/** Chart value that leaves the Namespace object out (Argo CD creates the namespace). */
export const NAMESPACE_CREATE_KEY = 'namespace.create';

type ApplicationSpec = IApplication['spec'];
type IgnoreDifference = NonNullable<ApplicationSpec['ignoreDifferences']>[number];
type SyncPolicy = NonNullable<ApplicationSpec['syncPolicy']>;
type ApplicationSetTemplateSpec = IApplicationSet['spec']['template']['spec'];

interface K8sObject {
  apiVersion?: string;
  kind?: string;
  metadata?: { name?: string; namespace?: string };
  spec?: { scaleTargetRef?: { apiVersion?: string; kind?: string; name?: string } };
}

/** What the Applications of one environment are made of. */
export interface EnvironmentTarget {
  readonly env: string;
  /** values/<env>.yaml, for messages. */
  readonly file: string;
  readonly applicationName: string;
  readonly argocdNamespace: string;
  readonly namespace: string;
  readonly repoURL: string;
  readonly targetRevision: string;
  readonly project: string;
  readonly server: string;
  readonly source: 'chart' | 'manifests';
  /** Repository path Argo CD syncs: the chart, or dist/<env>. */
  readonly path: string;
  /**
   * The environment's manifests hold the Namespace. Argo CD creates and labels the namespace itself
   * instead (CreateNamespace + managedNamespaceMetadata): an Application that owned the Namespace would
   * delete it — with the auth Secret and every PersistentVolumeClaim in it — when the Application is deleted.
   */
  readonly skipNamespace: boolean;
  /** dist/<env>/ files that hold only the Namespace, excluded from a manifests source (glob, '' = none). */
  readonly namespaceFiles: string;
  /** Whether Argo CD labels the namespace it creates (false only when the Namespace cannot be left out). */
  readonly managedNamespace: boolean;
  readonly ignoreDifferences: readonly IgnoreDifference[];
}

function group(apiVersion = ''): string {
  return apiVersion.includes('/') ? apiVersion.split('/')[0] : '';
}

/**
 * Fields the cluster changes after a sync, found in the environment's own objects: the replicas of every
 * HPA target, the caBundle injected into webhooks and APIServices. Without them selfHeal would fight them.
 */
export function ignoreDifferencesFor(objects: readonly K8sObject[]): IgnoreDifference[] {
  const found: IgnoreDifference[] = [];
  for (const o of objects) {
    const name = o.metadata?.name ?? '';
    if (o.kind === 'HorizontalPodAutoscaler' && o.spec?.scaleTargetRef?.kind && o.spec.scaleTargetRef.name) {
      const target = o.spec.scaleTargetRef;
      found.push({ group: group(target.apiVersion), kind: target.kind!, name: target.name, jsonPointers: ['/spec/replicas'] });
    } else if (o.kind === 'MutatingWebhookConfiguration' || o.kind === 'ValidatingWebhookConfiguration') {
      found.push({ group: 'admissionregistration.k8s.io', kind: o.kind, name, jqPathExpressions: ['.webhooks[]?.clientConfig.caBundle'] });
    } else if (o.kind === 'APIService') {
      found.push({ group: 'apiregistration.k8s.io', kind: 'APIService', name, jsonPointers: ['/spec/caBundle'] });
    }
  }
  return dedupe(found);
}

function dedupe<T>(items: readonly T[]): T[] {
  const seen = new Map<string, T>();
  for (const item of items) seen.set(JSON.stringify(item), item);
  return [...seen.values()];
}

/** The target of each environment; every environment without argocd.repoURL is one problem. */
export function environmentTargets(environments: readonly RenderedEnvironment[], release: ReleaseInfo): EnvironmentTarget[] {
  const problems: string[] = [];
  const targets = environments.map(({ env, files }): EnvironmentTarget => {
    const a = env.config.argocd;
    if (a.repoURL === '') {
      problems.push(
        `${env.file}: argocd.repoURL is "" but the argocd/ output needs the Git URL of this repository; ` +
          'set argocd.repoURL, e.g. https://github.com/example-org/session-database.git',
      );
    }
    const objects: K8sObject[] = [];
    const namespaceOnly: string[] = [];
    let namespaceMixed = false;
    for (const [file, own] of files) {
      objects.push(...(own as readonly unknown[] as readonly K8sObject[]));
      if (own.length > 0 && own.every((o) => o.kind === 'Namespace')) namespaceOnly.push(path.posix.basename(file));
      else if (own.some((o) => o.kind === 'Namespace')) namespaceMixed = true;
    }
    const hasNamespace = namespaceOnly.length > 0 || namespaceMixed;
    // The chart leaves the Namespace out with namespace.create=false; a directory source by excluding its file.
    const skipNamespace = hasNamespace && (a.source === 'chart' || !namespaceMixed);
    const namespaceFiles = a.source === 'manifests' && skipNamespace ? (namespaceOnly.length === 1 ? namespaceOnly[0] : `{${namespaceOnly.join(',')}}`) : '';
    return {
      env: env.name,
      file: env.file,
      applicationName: `${release.releaseName}-${env.name}`,
      argocdNamespace: a.namespace,
      namespace: env.config.namespace.name || 'default',
      repoURL: a.repoURL,
      targetRevision: a.targetRevision,
      project: a.project,
      server: a.destinationServer,
      source: a.source,
      path: a.source === 'chart' ? CHART_DIR : `dist/${env.name}`,
      skipNamespace,
      namespaceFiles,
      managedNamespace: !hasNamespace || skipNamespace,
      ignoreDifferences: ignoreDifferencesFor(objects),
    };
  });
  const namespaces = [...new Set(targets.map((t) => t.argocdNamespace))];
  if (namespaces.length > 1) {
    problems.push(
      `${targets.map((t) => `${t.file}: argocd.namespace is ${JSON.stringify(t.argocdNamespace)}`).join(', ')}; ` +
        'the one ApplicationSet lives in one namespace: give argocd.namespace the same value in every environment',
    );
  }
  if (problems.length > 0) throw new ConfigError(problems);
  return targets;
}

function syncPolicy(target: Pick<EnvironmentTarget, 'managedNamespace'>): SyncPolicy {
  return {
    automated: { prune: true, selfHeal: true },
    syncOptions: [...SYNC_OPTIONS],
    ...(target.managedNamespace ? { managedNamespaceMetadata: { labels: { ...POD_SECURITY_LABELS } } } : {}),
    retry: { limit: RETRY.limit, backoff: { ...RETRY.backoff } },
  };
}

/** Helm valueFiles are relative to the chart directory (charts/session-database → ../../values). */
export function valuesFileFromChart(env: string): string {
  const up = CHART_DIR.split('/').map(() => '..').join('/');
  return `${up}/values/${env}.yaml`;
}

function labels(env: string): Record<string, string> {
  return {
    'app.kubernetes.io/name': CHART_NAME,
    'app.kubernetes.io/part-of': CHART_NAME,
    [ENVIRONMENT_LABEL]: env,
  };
}

export function application(t: EnvironmentTarget, release: ReleaseInfo): IApplication {
  const source: ApplicationSpec['source'] =
    t.source === 'chart'
      ? {
          repoURL: t.repoURL,
          targetRevision: t.targetRevision,
          path: t.path,
          helm: {
            releaseName: release.releaseName,
            valueFiles: [valuesFileFromChart(t.env)],
            ...(t.skipNamespace ? { parameters: [{ name: NAMESPACE_CREATE_KEY, value: 'false' }] } : {}),
          },
        }
      : { repoURL: t.repoURL, targetRevision: t.targetRevision, path: t.path, directory: { recurse: false, ...(t.namespaceFiles ? { exclude: t.namespaceFiles } : {}) } };
  return {
    apiVersion: 'argoproj.io/v1alpha1',
    kind: 'Application',
    metadata: { name: t.applicationName, namespace: t.argocdNamespace, labels: labels(t.env), finalizers: [RESOURCES_FINALIZER] },
    spec: {
      project: t.project,
      source,
      destination: { server: t.server, namespace: t.namespace },
      syncPolicy: syncPolicy(t),
      ...(t.ignoreDifferences.length > 0 ? { ignoreDifferences: [...t.ignoreDifferences] } : {}),
    },
  };
}

/** The list generator element of an environment: everything the template needs, nothing more. */
export function generatorElement(t: EnvironmentTarget): Record<string, string | boolean | IgnoreDifference[]> {
  return {
    env: t.env,
    namespace: t.namespace,
    repoURL: t.repoURL,
    targetRevision: t.targetRevision,
    project: t.project,
    server: t.server,
    source: t.source,
    path: t.path,
    skipNamespace: t.skipNamespace,
    namespaceFiles: t.namespaceFiles,
    managedNamespace: t.managedNamespace,
    ignoreDifferences: [...t.ignoreDifferences],
  };
}

/**
 * Go-template patch for what differs by environment: the source kind (Helm with the env's values file, or
 * a plain directory) and the namespace labels. Rendered by Argo CD with missingkey=error.
 */
export function templatePatch(release: ReleaseInfo): string {
  const valuesFile = valuesFileFromChart('{{ .env }}');
  const labelLines = Object.entries(POD_SECURITY_LABELS).map(([k, v]) => `        ${k}: ${v}`);
  return [
    'spec:',
    '  source:',
    '{{- if eq .source "chart" }}',
    '    helm:',
    `      releaseName: ${release.releaseName}`,
    '      valueFiles:',
    `        - ${valuesFile}`,
    '{{- if .skipNamespace }}',
    '      parameters:',
    `        - name: ${NAMESPACE_CREATE_KEY}`,
    '          value: "false"',
    '{{- end }}',
    '{{- else }}',
    '    directory:',
    '      recurse: false',
    '{{- if .namespaceFiles }}',
    '      exclude: {{ .namespaceFiles | quote }}',
    '{{- end }}',
    '{{- end }}',
    '{{- if .managedNamespace }}',
    '  syncPolicy:',
    '    managedNamespaceMetadata:',
    '      labels:',
    ...labelLines,
    '{{- end }}',
    '{{- if .ignoreDifferences }}',
    '  ignoreDifferences: {{ toJson .ignoreDifferences }}',
    '{{- end }}',
    '',
  ].join('\n');
}

export function applicationSet(targets: readonly EnvironmentTarget[], release: ReleaseInfo): IApplicationSet {
  const templateSpec: ApplicationSetTemplateSpec = {
    project: '{{ .project }}',
    source: { repoURL: '{{ .repoURL }}', targetRevision: '{{ .targetRevision }}', path: '{{ .path }}' },
    destination: { server: '{{ .server }}', namespace: '{{ .namespace }}' },
    syncPolicy: syncPolicy({ managedNamespace: false }),
  };
  return {
    apiVersion: 'argoproj.io/v1alpha1',
    kind: 'ApplicationSet',
    metadata: {
      name: release.releaseName,
      namespace: targets[0].argocdNamespace,
      labels: { 'app.kubernetes.io/name': CHART_NAME, 'app.kubernetes.io/part-of': CHART_NAME },
    },
    spec: {
      goTemplate: true,
      goTemplateOptions: ['missingkey=error'],
      generators: [{ list: { elements: targets.map(generatorElement) } }],
      template: {
        metadata: { name: `${release.releaseName}-{{ .env }}`, labels: labels('{{ .env }}'), finalizers: [RESOURCES_FINALIZER] },
        spec: templateSpec,
      },
      templatePatch: templatePatch(release),
      // Deleting the ApplicationSet must not delete the session stores it created.
      syncPolicy: { preserveResourcesOnDeletion: true },
    },
  };
}

const HEADER = (what: string) => `# Generated by \`npm run synth\` from ${what}; do not edit by hand.\n`;

/** argocd/<env>.yaml and argocd/applicationset.yaml, by path from the project root. */
export function argocdFiles(environments: readonly RenderedEnvironment[], release: ReleaseInfo): Map<string, string> {
  const out = new Map<string, string>();
  if (environments.length === 0) return out;
  const targets = environmentTargets(environments, release);
  for (const t of targets) {
    out.set(`${ARGOCD_DIR}/${t.env}.yaml`, HEADER(`${t.file} (Argo CD Application)`) + toYaml(application(t, release)));
  }
  out.set(
    `${ARGOCD_DIR}/applicationset.yaml`,
    HEADER(`values/*.yaml (Argo CD ApplicationSet over ${targets.map((t) => t.env).join(', ')})`) + toYaml(applicationSet(targets, release)),
  );
  return out;
}
