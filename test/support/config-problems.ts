import { ConfigError, validate } from '../../src/config/load';

/** The loader's messages for these values (none when they are valid). */
export function problemsOf(values: unknown, file: string): string[] {
  try {
    validate(values, file);
  } catch (e) {
    if (e instanceof ConfigError) return [...e.problems];
    throw e;
  }
  return [];
}
