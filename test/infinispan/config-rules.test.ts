import { problemsOf } from '../support/config-problems';
import { helmTemplate } from '../support/helm';
import { infinispanValues } from './values';

const FILE = 'values/test.yaml';

const problems = (values: unknown) => problemsOf(values, FILE);

describe('bad Infinispan input gives one clear error naming the key, the value and the fix', () => {
  test('more owners than servers is refused', () => {
    expect(problems(infinispanValues({ infinispan: { replicas: 2, cache: { owners: 3 } } }))).toEqual([
      `${FILE}: infinispan.cache.owners is 3 but only 2 Infinispan servers run (infinispan.replicas), so the cache cannot keep that many copies; lower infinispan.cache.owners or raise infinispan.replicas`,
    ]);
  });

  test('a max-idle longer than the lifespan is refused', () => {
    expect(problems(infinispanValues({ infinispan: { cache: { lifespanMilliseconds: 60000, maxIdleMilliseconds: 120000, fileStore: { passivation: true } } } }))).toEqual([
      `${FILE}: infinispan.cache.maxIdleMilliseconds is 120000, longer than infinispan.cache.lifespanMilliseconds (60000), so the idle limit could never apply; set maxIdleMilliseconds at most lifespanMilliseconds (e.g. 1800000 with 3600000)`,
    ]);
  });

  test('a max-idle with a write-through file store is refused, as the server refuses it (ISPN000651)', () => {
    expect(problems(infinispanValues({ infinispan: { cache: { maxIdleMilliseconds: 60000 } } }))).toEqual([
      `${FILE}: infinispan.cache.maxIdleMilliseconds is 60000 but infinispan.cache.fileStore.passivation is false, and Infinispan refuses max-idle with a write-through file store (ISPN000651); set infinispan.cache.fileStore.passivation: true or maxIdleMilliseconds: -1`,
    ]);
  });

  test('a max-idle of 0 is refused (it would expire every entry at once)', () => {
    expect(problems(infinispanValues({ infinispan: { cache: { maxIdleMilliseconds: 0 } } }))).toEqual([
      `${FILE}: infinispan.cache.maxIdleMilliseconds is 0, which would expire every entry at once; set -1 for no idle limit or a number of milliseconds`,
    ]);
  });

  test('zero or negative segments are refused by the schema', () => {
    expect(problems(infinispanValues({ infinispan: { cache: { segments: 0 } } }))).toEqual([
      `${FILE}: infinispan.cache.segments is 0 but must be greater than 0; raise it`,
    ]);
    expect(problems(infinispanValues({ infinispan: { cache: { segments: -4 } } }))).toEqual([
      `${FILE}: infinispan.cache.segments is -4 but must be greater than 0; raise it`,
    ]);
  });

  test('a disruption budget that lets a drain take every copy of a session is refused', () => {
    expect(problems(infinispanValues({ infinispan: { podDisruptionBudget: { maxUnavailable: 2 } } }))).toEqual([
      `${FILE}: infinispan.podDisruptionBudget.maxUnavailable is 2 but every session has only 2 copies (infinispan.cache.owners), so a drain could take all copies of some sessions at once; set maxUnavailable below owners (1 is safest)`,
    ]);
    expect(problems(infinispanValues({ infinispan: { podDisruptionBudget: { enabled: false, maxUnavailable: 2 } } }))).toEqual([]);
  });

  test('a misspelt key is refused with the keys that exist', () => {
    const [problem] = problems(infinispanValues({ infinispan: { cache: { owner: 2 } } }));
    expect(problem).toMatch(/^values\/test\.yaml: infinispan\.cache\.owner is not a known key; did you mean infinispan\.cache\.owners\?/);
  });

  test('equal max-idle and lifespan, and owners equal to replicas, are fine', () => {
    expect(problems(infinispanValues({ infinispan: { replicas: 2, cache: { owners: 2, lifespanMilliseconds: 60000, maxIdleMilliseconds: 60000, fileStore: { passivation: true } } } }))).toEqual([]);
    expect(problems(infinispanValues({ infinispan: { replicas: 1, cache: { owners: 1 }, podDisruptionBudget: { enabled: false } } }))).toEqual([]);
  });

  test('the cross-key rules do not apply while Infinispan is off', () => {
    const values = infinispanValues({ infinispan: { enabled: false, replicas: 1, cache: { owners: 2, maxIdleMilliseconds: 7200000 } } });
    expect(problems(values)).toEqual([]);
  });

  test('helm refuses the same input with the same words', () => {
    for (const [values, message] of [
      [{ infinispan: { replicas: 2, cache: { owners: 3 } } }, 'infinispan.cache.owners is 3 but only 2 Infinispan servers run'],
      [{ infinispan: { cache: { lifespanMilliseconds: 60000, maxIdleMilliseconds: 120000, fileStore: { passivation: true } } } }, 'infinispan.cache.maxIdleMilliseconds is 120000, longer than infinispan.cache.lifespanMilliseconds (60000)'],
      [{ infinispan: { cache: { maxIdleMilliseconds: 60000 } } }, 'infinispan.cache.maxIdleMilliseconds is 60000 but infinispan.cache.fileStore.passivation is false'],
      [{ infinispan: { cache: { maxIdleMilliseconds: 0 } } }, 'infinispan.cache.maxIdleMilliseconds is 0, which would expire every entry at once'],
      [{ infinispan: { cache: { segments: 0 } } }, 'infinispan.cache.segments'],
      [{ infinispan: { podDisruptionBudget: { maxUnavailable: 3 } } }, 'infinispan.podDisruptionBudget.maxUnavailable is 3 but every session has only 2 copies'],
    ] as const) {
      const result = helmTemplate(3, infinispanValues(values));
      expect(result.status).not.toBe(0);
      expect(result.stderr).toContain(message);
    }
  });
});
