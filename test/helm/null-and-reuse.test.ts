import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import * as YAML from 'yaml';
import { HELM_MAJORS } from '../../scripts/helm';
import { PROJECT_ROOT } from '../../src/render/assets';
import { mergeDeep } from '../config/merge';
import { CHART, byName, helmTemplate, helmValuesText, renderedObjects } from '../support/helm';
import { renderValues } from '../support/manifests';

/**
 * Values that lack keys the templates read: a section set to null (Helm removes the key), and `helm upgrade
 * --reuse-values` from an older chart, which renders the new templates with the OLD chart's values.yaml
 * (Helm's upgrade action replaces the chart's values with the previous release's coalesced ones). The
 * chart's fill gives the missing keys their defaults; the loader does the same for dist/.
 */
const BASE = { auth: { existingSecret: 's' } };

const NULLED: [string, object][] = [
  ['redis.persistence', { redis: { persistence: null } }],
  ['redis.sentinel', { redis: { sentinel: null } }],
  ['redis.resources.limits.cpu (removes the CPU limit)', { redis: { resources: { limits: { cpu: null } } } }],
  ['monitoring and maintenance', { monitoring: null, maintenance: null }],
  ['infinispan (enabled, every other key null)', { infinispan: { enabled: true, image: null, persistence: null, cache: null } }],
];

describe.each(HELM_MAJORS)('Helm %i', (major) => {
  test.each(NULLED)('%s set to null renders what the loader renders, with the defaults', (_name, nulled) => {
    const values = mergeDeep(BASE, nulled);
    const result = helmTemplate(major, values);
    expect(result.stderr).toBe('');
    expect(byName(renderedObjects(result))).toEqual(byName(renderValues(values)));
  });

  test('helm upgrade --reuse-values from chart 0.2.0: the new templates with the old values render like the loader', () => {
    const commit = lastCommitOfVersion('0.2.0');
    const oldDefaults = YAML.parse(git('show', `${commit}:charts/session-database/values.yaml`), { version: '1.1' });
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sd-reuse-'));
    try {
      fs.cpSync(CHART, path.join(dir, 'session-database'), { recursive: true });
      fs.writeFileSync(path.join(dir, 'session-database', 'values.yaml'), helmValuesText(oldDefaults));
      const user = { auth: { existingSecret: 's' }, redis: { replicas: 3 } };
      const result = helmTemplate(major, user, [], path.join(dir, 'session-database'));
      expect(result.stderr).toBe('');
      // Keys the old chart had keep its values; the keys it lacked get the new defaults.
      expect(byName(renderedObjects(result))).toEqual(byName(renderValues(mergeDeep(oldDefaults, user))));
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});

function git(...args: string[]): string {
  const r = spawnSync('git', args, { cwd: PROJECT_ROOT, encoding: 'utf8', maxBuffer: 64 << 20 });
  if (r.status !== 0) throw new Error(`git ${args.join(' ')}: ${r.stderr}`);
  return r.stdout;
}

/** The newest commit whose chart had `version` (the parent of the commit that changed it). */
function lastCommitOfVersion(version: string): string {
  for (const c of git('log', '--format=%H', '--', 'charts/session-database/Chart.yaml').trim().split('\n')) {
    const before = spawnSync('git', ['show', `${c}^:charts/session-database/Chart.yaml`], { cwd: PROJECT_ROOT, encoding: 'utf8' }).stdout;
    if (before.includes(`version: ${version}\n`) && !git('show', `${c}:charts/session-database/Chart.yaml`).includes(`version: ${version}\n`)) return `${c}^`;
  }
  throw new Error(`no commit of chart version ${version} in git history`);
}
