import fc from 'fast-check';
import { HELM_MAJORS, HelmMajor } from '../../scripts/helm';
import { listEnvironments, validate } from '../../src/config/load';
import { Config } from '../../src/config/schema';
import { byName, helmTemplate, renderedObjects } from '../support/helm';
import { loadDist, renderValues } from '../support/manifests';
import { PARITY_RUNS, leafCoverage, paritySeed, validValues } from './values-generator';

const environments = listEnvironments('values');
/** The value sets each Helm version rendered below, validated (defaults filled in), for the coverage check. */
const rendered = new Map<HelmMajor, Config[]>(HELM_MAJORS.map((major) => [major, []]));

describe.each(HELM_MAJORS)('Helm %i', (major) => {
  test.each(environments)('helm template -f values/%s.yaml renders exactly dist/<env>/', (env) => {
    const helm = byName(renderedObjects(helmTemplate(major, `values/${env}.yaml`)));
    expect(helm).toEqual(byName(loadDist(env)));
  });

  test('random valid values of every schema key render the same objects both ways', () => {
    fc.assert(
      fc.property(validValues, (values) => {
        rendered.get(major)!.push(validate(values, 'values/generated.yaml'));
        const helm = byName(renderedObjects(helmTemplate(major, values)));
        expect(helm).toEqual(byName(renderValues(values)));
      }),
      { numRuns: PARITY_RUNS, seed: paritySeed(major) },
    );
  });

  test('the random sets varied every leaf key of the schema (every enum member, both booleans)', () => {
    const sets = rendered.get(major)!;
    expect(sets.length).toBeGreaterThanOrEqual(PARITY_RUNS);
    const { neverVaried, untakenChoices } = leafCoverage(sets);
    expect({ neverVaried, untakenChoices }).toEqual({ neverVaried: [], untakenChoices: [] });
  });
});
