import { HELM_MAJORS } from '../../scripts/helm';
import { FULLNAME_MAX } from '../../src/config/schema';
import { CHART, OPERATOR_APIS, helm } from '../support/helm';
import { K8sObject, parseDocuments } from '../support/manifests';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import * as YAML from 'yaml';

/** Helm's own limit on release names. */
const RELEASE_NAME_MAX = 53;

/** Every component on, so every generated name is rendered. */
const EVERYTHING = {
  auth: { existingSecret: 's' },
  tls: { enabled: true, bootstrapCA: true },
  infinispan: { enabled: true },
  redis: { autoscaling: { enabled: true } },
  maintenance: { backup: { enabled: true } },
};
const MONITORING = [{ mode: 'operator' }, { mode: 'standalone', standalone: { grafana: { adminSecret: 'g' }, ingress: { enabled: true, host: 'grafana.example.com', tlsSecret: 't' } } }];

/**
 * Kubernetes' name limits that a generated name can hit: object names (DNS subdomain, 253), Service
 * and StatefulSet names (DNS label 63; a StatefulSet's pods add "-<ordinal>" and its revision label
 * "-<10-char hash>", so 52), CronJobs (52: their Jobs add 11 characters), label values and container
 * names (63).
 */
function nameProblems(objects: readonly K8sObject[]): string[] {
  const problems: string[] = [];
  const check = (what: string, value: unknown, max: number) => {
    if (typeof value === 'string' && value.length > max) problems.push(`${what} "${value}" has ${value.length} characters, more than ${max}`);
  };
  const labels = (where: string, map: Record<string, unknown> | undefined) => {
    for (const [k, v] of Object.entries(map ?? {})) check(`${where} label ${k}`, v, 63);
  };
  for (const o of objects) {
    const name = o.metadata.name;
    const id = `${o.kind} ${name}`;
    check(id, name, 253);
    if (['Service', 'Namespace'].includes(o.kind)) check(id, name, 63);
    if (o.kind === 'StatefulSet' || o.kind === 'CronJob') check(id, name, 52);
    labels(id, o.metadata.labels);
    const pod = o.spec?.template ?? o.spec?.jobTemplate?.spec?.template;
    labels(`${id} pod`, pod?.metadata?.labels);
    for (const c of [...(pod?.spec?.containers ?? []), ...(pod?.spec?.initContainers ?? [])]) check(`${id} container`, c.name, 63);
    for (const claim of o.spec?.volumeClaimTemplates ?? []) check(`${id} claim`, `${claim.metadata.name}-${name}-99`, 253);
    labels(`${id} selector`, o.spec?.selector?.matchLabels ?? o.spec?.podSelector?.matchLabels);
  }
  return problems;
}

function render(major: 3 | 4, release: string, values: object): K8sObject[] {
  const file = path.join(os.tmpdir(), `sd-names-${process.pid}.yaml`);
  fs.writeFileSync(file, YAML.stringify(values, { version: '1.1' }));
  try {
    const r = helm(major, ['template', release, CHART, '-f', file, '-n', 'shop', ...OPERATOR_APIS]);
    if (r.status !== 0) throw new Error(r.stderr);
    return parseDocuments(r.stdout);
  } finally {
    fs.rmSync(file, { force: true });
  }
}

describe.each(HELM_MAJORS)('generated names fit Kubernetes limits (Helm %i)', (major) => {
  test.each(MONITORING)('for the longest fullnameOverride the schema allows, every component on (monitoring $mode)', (monitoring) => {
    const objects = render(major, 'x', { ...EVERYTHING, monitoring, fullnameOverride: 'f'.repeat(FULLNAME_MAX) });
    expect(objects.length).toBeGreaterThan(30);
    expect(objects.filter((o) => o.kind === 'CronJob').length).toBeGreaterThan(0);
    expect(nameProblems(objects)).toEqual([]);
  });

  test('for the longest release name Helm allows, cut to the same length', () => {
    const release = 'r'.repeat(RELEASE_NAME_MAX);
    const objects = render(major, release, { ...EVERYTHING, monitoring: MONITORING[1] });
    expect(nameProblems(objects)).toEqual([]);
    // The instance label keeps the full release name (Helm's own limit keeps it under 63).
    expect(objects[0].metadata.labels?.['app.kubernetes.io/instance']).toBe(release);
    expect(objects.find((o) => o.kind === 'StatefulSet')!.metadata.name.startsWith('r'.repeat(FULLNAME_MAX) + '-')).toBe(true);
  });
});

test('the check finds a name over a limit', () => {
  const long = 'a'.repeat(53);
  expect(nameProblems([{ apiVersion: 'batch/v1', kind: 'CronJob', metadata: { name: long, labels: { x: 'b'.repeat(64) } }, spec: {} } as K8sObject])).toEqual([
    `CronJob ${long} "${long}" has 53 characters, more than 52`,
    `CronJob ${long} label x "${'b'.repeat(64)}" has 64 characters, more than 63`,
  ]);
});
