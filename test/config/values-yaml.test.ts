import { parseValues } from '../../src/config/load';

describe('values files', () => {
  test('read yes/no/on/off as booleans, as Helm does', () => {
    const config = parseValues('auth:\n  existingSecret: s\nredis:\n  persistence:\n    enabled: off\n    appendonly: yes\n', 'values/x.yaml');
    expect(config.redis.persistence.enabled).toBe(false);
    expect(config.redis.persistence.appendonly).toBe(true);
  });

  test('report YAML syntax errors with the file name', () => {
    expect(() => parseValues('redis: [\n', 'values/x.yaml')).toThrow(/^values\/x\.yaml: not valid YAML/);
  });

  test('refuse a top level that is not a map', () => {
    expect(() => parseValues('- a\n- b\n', 'values/x.yaml')).toThrow('values/x.yaml: the top level must be a map of keys');
  });
});
