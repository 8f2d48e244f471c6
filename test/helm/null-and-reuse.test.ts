import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import * as YAML from 'yaml';
import { HELM_MAJORS } from '../../scripts/helm';
import { mergeDeep } from '../config/merge';
import { CHART, byName, helmTemplate, helmValuesText, renderedObjects } from '../support/helm';
import { renderValues } from '../support/manifests';
import { git, lastCommitOfVersion } from '../support/git-history';

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
