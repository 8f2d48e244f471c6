import { problemsOf } from '../support/config-problems';
import { loadEnvironment } from '../../src/config/load';
import { FILE, cases, withBase } from './bad-input-cases';

const problemsFor = (values: unknown) => problemsOf(values, FILE);

describe('bad input gives one clear message per problem', () => {
  test.each(cases)('$name', ({ values, message }) => {
    const problems = problemsFor(withBase(values));
    expect(problems).toHaveLength(1);
    if (typeof message === 'string') expect(problems[0]).toBe(message);
    else expect(problems[0]).toMatch(message);
  });

  test('every problem of a file is reported at once', () => {
    const problems = problemsFor(withBase({ redis: { replcas: 3, persistence: { size: '4gb' } }, sessions: { ttlSeconds: 0 } }));
    expect(problems).toHaveLength(3);
  });

  test('the defaults and both environment files are valid', () => {
    expect(problemsFor(withBase({}))).toEqual([]);
    expect(() => loadEnvironment('values', 'dev')).not.toThrow();
    expect(() => loadEnvironment('values', 'production')).not.toThrow();
  });

  test('an unknown environment file names the known ones', () => {
    expect(() => loadEnvironment('values', 'staging')).toThrow(
      'values/staging.yaml: no such environment file; known environments: dev, production; create values/staging.yaml or pick one of them',
    );
  });
});
