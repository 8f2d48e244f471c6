import fc from 'fast-check';
import { HELM_MAJORS } from '../../scripts/helm';
import { listEnvironments } from '../../src/config/load';
import { byName, helmTemplate, renderedObjects } from '../support/helm';
import { loadDist, renderValues } from '../support/manifests';
import { validValues } from './arbitraries';

const environments = listEnvironments('values');

describe.each(HELM_MAJORS)('Helm %i', (major) => {
  test.each(environments)('helm template -f values/%s.yaml renders exactly dist/<env>/', (env) => {
    const helm = byName(renderedObjects(helmTemplate(major, `values/${env}.yaml`)));
    expect(helm).toEqual(byName(loadDist(env)));
  });

  test('random valid values render the same objects both ways', () => {
    fc.assert(
      fc.property(validValues, (values) => {
        const helm = byName(renderedObjects(helmTemplate(major, values)));
        expect(helm).toEqual(byName(renderValues(values)));
      }),
      { numRuns: 50, seed: 20261123 + major },
    );
  });
});
