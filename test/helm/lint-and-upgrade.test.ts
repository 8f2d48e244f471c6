import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { HELM_MAJORS } from '../../scripts/helm';
import { listEnvironments } from '../../src/config/load';
import { PROJECT_ROOT } from '../../src/render/assets';
import { CHART, helm, helmTemplate, renderedObjects } from '../support/helm';
import { K8sObject } from '../support/manifests';

const environments = listEnvironments('values');

describe.each(HELM_MAJORS)('helm %i lint --strict', (major) => {
  test('passes with the defaults', () => {
    const r = helm(major, ['lint', '--strict', CHART]);
    expect(r.stderr + r.stdout).toMatch(/1 chart\(s\) linted, 0 chart\(s\) failed/);
    expect(r.status).toBe(0);
  });

  test.each(environments)('passes with values/%s.yaml', (env) => {
    const r = helm(major, ['lint', '--strict', CHART, '-f', `values/${env}.yaml`]);
    expect(r.stderr + r.stdout).toMatch(/0 chart\(s\) failed/);
    expect(r.status).toBe(0);
  });
});

/**
 * Fields Kubernetes refuses to change on a live object: an upgrade that changes them
 * fails (StatefulSet) or needs the object deleted first.
 */
export const IMMUTABLE_FIELDS: Record<string, readonly string[]> = {
  StatefulSet: ['spec.selector', 'spec.serviceName', 'spec.volumeClaimTemplates', 'spec.podManagementPolicy'],
  Deployment: ['spec.selector'],
  DaemonSet: ['spec.selector'],
  Job: ['spec.selector', 'spec.template'],
  Service: ['spec.clusterIP'],
  PersistentVolumeClaim: ['spec.storageClassName', 'spec.accessModes', 'spec.volumeName'],
};

const get = (o: any, field: string) => field.split('.').reduce((x, k) => x?.[k], o);

function immutableChanges(before: readonly K8sObject[], after: readonly K8sObject[], normalize = (_o: K8sObject, _f: string, v: any) => v): string[] {
  const changes: string[] = [];
  const previous = new Map(before.map((o) => [`${o.kind}/${o.metadata.name}`, o]));
  for (const o of after) {
    const old = previous.get(`${o.kind}/${o.metadata.name}`);
    if (!old) continue;
    for (const field of IMMUTABLE_FIELDS[o.kind] ?? []) {
      const a = JSON.stringify(normalize(o, field, get(old, field)));
      const b = JSON.stringify(normalize(o, field, get(o, field)));
      if (a !== b) changes.push(`${o.kind}/${o.metadata.name} ${field}: ${a} -> ${b}`);
    }
  }
  return changes;
}

/** The chart as of the commit before the last one that changed it (or HEAD if the tree has uncommitted chart changes). */
function previousChart(): { dir: string; rev: string } | undefined {
  const git = (...args: string[]) => execFileSync('git', args, { cwd: PROJECT_ROOT, encoding: 'utf8' }).trim();
  try {
    const dirty = git('status', '--porcelain', '--', 'charts/session-database') !== '';
    const revs = git('log', '--format=%H', '-n', '2', '--', 'charts/session-database').split('\n').filter(Boolean);
    const rev = dirty ? revs[0] : revs[1];
    if (!rev) return undefined;
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sd-prev-chart-'));
    execFileSync('sh', ['-c', `git archive ${rev} charts/session-database values | tar -x -C ${dir}`], { cwd: PROJECT_ROOT });
    return { dir, rev };
  } catch {
    return undefined;
  }
}

describe('upgrade safety', () => {
  test('the lists of immutable fields cover every workload kind the chart renders', () => {
    const kinds = new Set(environments.flatMap((env) => renderedObjects(helmTemplate(4, `values/${env}.yaml`)).map((o) => o.kind)));
    for (const kind of ['StatefulSet', 'Deployment', 'Job', 'DaemonSet']) {
      if (kinds.has(kind)) expect(IMMUTABLE_FIELDS[kind]).toBeDefined();
    }
  });

  test('dev and production renderings agree on every immutable field, claim sizes included (an upgrade from one to the other must pass)', () => {
    const [first, ...rest] = environments.map((env) => renderedObjects(helmTemplate(4, `values/${env}.yaml`)));
    for (const other of rest) expect(immutableChanges(first, other)).toEqual([]);
  });

  test('the current chart changes no immutable field of the previous committed chart', () => {
    const previous = previousChart();
    if (!previous) throw new Error('no previous committed chart in git history (a shallow clone?)');
    const version = (dir: string) => /^version: (\S+)$/m.exec(fs.readFileSync(path.join(dir, 'Chart.yaml'), 'utf8'))![1].split('.').map(Number);
    const [oldMajor, oldMinor] = version(path.join(previous.dir, 'charts', 'session-database'));
    const [major, minor] = version(CHART);
    // A breaking version (a new major, or a new minor while 0.x) may change them: its notes say to recreate.
    if (major !== oldMajor || (major === 0 && minor !== oldMinor)) return fs.rmSync(previous.dir, { recursive: true, force: true });
    for (const env of environments) {
      const oldValues = path.join(previous.dir, 'values', `${env}.yaml`);
      if (!fs.existsSync(oldValues)) continue;
      const before = renderedObjects(helmTemplate(4, oldValues, [], path.join(previous.dir, 'charts', 'session-database')));
      const after = renderedObjects(helmTemplate(4, `values/${env}.yaml`));
      expect({ env, rev: previous.rev, changes: immutableChanges(before, after) }).toEqual({ env, rev: previous.rev, changes: [] });
    }
    fs.rmSync(previous.dir, { recursive: true, force: true });
  });

  test('the check catches a changed selector and a changed claim', () => {
    const objects = renderedObjects(helmTemplate(4, 'values/production.yaml'));
    const changed = structuredClone(objects);
    const sts = changed.find((o) => o.kind === 'StatefulSet')!;
    sts.spec.selector.matchLabels['app.kubernetes.io/component'] = 'other';
    sts.spec.volumeClaimTemplates[0].spec.resources.requests.storage = '1Ti';
    expect(immutableChanges(objects, changed)).toHaveLength(2);
  });
});
