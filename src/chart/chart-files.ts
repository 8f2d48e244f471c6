import * as fs from 'fs';
import * as path from 'path';
import { render } from '../app';
import { defaultConfig } from '../config/schema';
import { PROJECT_ROOT } from '../render/assets';
import { changesOf } from './changes';
import { bytesTemplate } from '../config/expr';
import { rulesTemplate } from '../config/rules';
import { CHART_NAME, helpersTemplate } from '../components/shared/naming';
import { RenderContext, ReleaseInfo } from '../render/context';
import { chartDocuments, chartFileText, toYaml } from '../render/emit';
import { IMMUTABLE_CHECK, immutableFieldsTemplate } from './immutable-fields';
import { notesTemplate } from './notes';
import { VALUES_INCLUDE, VALUES_SHAPE_FILE, valuesTemplates } from '../render/helm-only';
import { valuesShape } from '../config/coalesce';
import { parametersTable, valuesJsonSchema, valuesYaml } from './values-docs';

export const CHART_DIR = `charts/${CHART_NAME}`;

/** Every file of the Helm chart, by path inside the chart directory. */
export function chartFiles(release: ReleaseInfo): Map<string, string> {
  const ctx = RenderContext.forChart(release);
  const files = new Map<string, string>();
  files.set('Chart.yaml', toYaml(chartYaml(release)));
  files.set('values.yaml', valuesYaml());
  files.set('values.schema.json', JSON.stringify(valuesJsonSchema(), null, 2) + '\n');
  files.set('.helmignore', '.DS_Store\n*.tmp\n*.orig\n');
  files.set(VALUES_SHAPE_FILE, JSON.stringify(valuesShape(), null, 1) + '\n');
  files.set('templates/_validate.tpl', rulesTemplate(`${CHART_NAME}.validate`));
  // Renders nothing; makes `helm template/install` run the cross-key checks, and `helm upgrade` the
  // immutable-field check against the live StatefulSets.
  files.set('templates/validate.yaml', `${VALUES_INCLUDE}\n{{- include "${CHART_NAME}.validate" . -}}\n{{- include "${IMMUTABLE_CHECK}" . -}}\n`);
  const rendered = render(ctx);
  for (const { file, objects } of rendered) {
    files.set(`templates/${file}.yaml`, `${VALUES_INCLUDE}\n${chartDocuments(objects, ctx.tokens)}`);
  }
  files.set('templates/_immutable.tpl', immutableFieldsTemplate(rendered.flatMap((r) => r.objects), ctx.tokens));
  files.set('templates/_helpers.tpl', `${helpersTemplate(ctx.namedTemplates)}\n${valuesTemplates()}\n${bytesTemplate()}`);
  for (const [name, uses] of ctx.chartFiles) {
    const texts = new Set(uses.map((text) => chartFileText(text, ctx.tokens)));
    if (texts.size > 1) throw new Error(`files/${name} is used with two different contents`);
    files.set(`files/${name}`, [...texts][0]);
  }
  files.set('templates/NOTES.txt', `${VALUES_INCLUDE}\n${notesTemplate()}`);
  files.set('README.md', chartReadme(release));
  return files;
}

/**
 * The oldest Kubernetes the chart's APIs serve on: persistentVolumeClaimRetentionPolicy is on by default
 * from 1.27; CI proves it on 1.35 (test/cluster).
 */
export const KUBE_VERSION = '>=1.27.0-0';

/** Operators whose CRDs the chart's optional objects use, for Artifact Hub's "recommendations". */
const OPERATORS = [
  'https://artifacthub.io/packages/helm/cert-manager/cert-manager',
  'https://artifacthub.io/packages/helm/prometheus-community/kube-prometheus-stack',
  'https://artifacthub.io/packages/helm/external-secrets-operator/external-secrets',
];

/** Chart.yaml: identity from package.json (one home for the version, links and maintainers), images from the schema defaults. */
export function chartYaml(release: ReleaseInfo): Record<string, unknown> {
  const pkg = JSON.parse(fs.readFileSync(path.join(PROJECT_ROOT, 'package.json'), 'utf8'));
  const repository = String(pkg.repository.url).replace(/\.git$/, '');
  return {
    apiVersion: 'v2',
    name: CHART_NAME,
    description: 'Redis with Sentinel HA as a production session store (sessions in DB 0, service cache in DB 1)',
    type: 'application',
    version: release.chartVersion,
    appVersion: release.appVersion,
    kubeVersion: KUBE_VERSION,
    home: pkg.homepage,
    sources: [repository],
    icon: `${repository.replace('https://github.com/', 'https://raw.githubusercontent.com/')}/main/docs/icon.svg`,
    maintainers: pkg.maintainers,
    keywords: ['redis', 'sentinel', 'sessions', 'cache'],
    annotations: {
      'artifacthub.io/license': pkg.license,
      'artifacthub.io/images': toYaml(defaultImages().map(([name, image]) => ({ name, image }))),
      'artifacthub.io/recommendations': toYaml(OPERATORS.map((url) => ({ url }))),
      'artifacthub.io/changes': toYaml(changesOf(release.chartVersion)),
      'artifacthub.io/links': toYaml([{ name: 'Runbook and design', url: `${repository}/tree/main/docs` }]),
    },
  };
}

/** `name`, `registry/repository:tag` of every image block in the schema defaults (global.imageRegistry unset). */
export function defaultImages(): [string, string][] {
  const images: [string, string][] = [];
  const walk = (node: unknown, at: string) => {
    if (typeof node !== 'object' || node === null || Array.isArray(node)) return;
    const o = node as Record<string, unknown>;
    if (typeof o.repository === 'string' && typeof o.tag === 'string') {
      const ref = `${o.registry ? `${o.registry}/` : ''}${o.repository}${o.digest ? `@${o.digest}` : `:${o.tag}`}`;
      if (!images.some(([, r]) => r === ref)) images.push([at.replace(/\.image$/, '').replace(/\./g, '-'), ref]);
      return;
    }
    for (const [k, v] of Object.entries(o)) walk(v, at ? `${at}.${k}` : k);
  };
  walk(defaultConfig(), '');
  return images;
}

function chartReadme(release: ReleaseInfo): string {
  return `# ${CHART_NAME}

Redis with Sentinel HA as a production session store: sessions in DB 0, the service cache in DB 1.
Generated by \`npm run synth\` from the same constructs as \`dist/<env>/\`; do not edit by hand.

Chart version ${release.chartVersion}, Redis ${release.appVersion}.

## Install

\`\`\`sh
kubectl create secret generic session-database-auth -n <ns> \\
  --from-literal=app-password=... --from-literal=cache-password=... --from-literal=monitor-password=... \\
  --from-literal=cleanup-password=... --from-literal=backup-password=... \\
  --from-literal=replication-password=... --from-literal=sentinel-password=...
helm install <release> ${CHART_DIR} -n <ns> -f values/production.yaml --set auth.existingSecret=session-database-auth
\`\`\`

## Parameters

${parametersTable()}`;
}
