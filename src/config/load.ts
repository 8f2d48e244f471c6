import * as fs from 'fs';
import * as path from 'path';
import * as YAML from 'yaml';
import { z } from 'zod';
import { lookup } from './expr';
import { objectShape } from './introspect';
import { brokenRules, ruleMessage } from './rules';
import { chartValues } from './coalesce';
import { Config, configSchema } from './schema';

/** Bad input: one line per problem, each naming the file, the key path, the value and the fix. */
export class ConfigError extends Error {
  constructor(readonly problems: readonly string[]) {
    super(problems.join('\n'));
    this.name = 'ConfigError';
  }
}

export interface Environment {
  /** File name without .yaml, e.g. production. */
  readonly name: string;
  /** Path as given to the user, e.g. values/production.yaml. */
  readonly file: string;
  readonly config: Config;
}

/** Environments are the *.yaml files in the values directory, sorted by name. */
export function listEnvironments(valuesDir: string): string[] {
  if (!fs.existsSync(valuesDir)) return [];
  return fs
    .readdirSync(valuesDir)
    .filter((f) => f.endsWith('.yaml'))
    .map((f) => f.slice(0, -'.yaml'.length))
    .sort();
}

export function loadEnvironment(valuesDir: string, name: string, displayDir = valuesDir): Environment {
  const file = path.join(displayDir, `${name}.yaml`);
  const full = path.join(valuesDir, `${name}.yaml`);
  if (!fs.existsSync(full)) {
    const known = listEnvironments(valuesDir);
    throw new ConfigError([
      `${file}: no such environment file; known environments: ${known.join(', ') || '(none)'}; create ${file} or pick one of them`,
    ]);
  }
  return { name, file, config: parseValues(fs.readFileSync(full, 'utf8'), file) };
}

/** Parse and validate the text of a values file. */
export function parseValues(text: string, file: string): Config {
  let doc: YAML.Document;
  try {
    // YAML 1.1 like Helm, so `yes`, `on` and `off` mean the same in both (booleans).
    doc = YAML.parseDocument(text, { prettyErrors: true, version: '1.1' });
  } catch (e) {
    throw new ConfigError([`${file}: not valid YAML: ${(e as Error).message}`]);
  }
  if (doc.errors.length > 0) {
    throw new ConfigError(doc.errors.map((e) => `${file}: not valid YAML: ${e.message.split('\n')[0]}`));
  }
  const input = doc.toJS() ?? {};
  if (typeof input !== 'object' || Array.isArray(input)) {
    throw new ConfigError([`${file}: the top level must be a map of keys (see values.yaml of the chart), not ${describe(input)}`]);
  }
  return validate(input, file);
}

export function validate(raw: unknown, file: string): Config {
  // What the chart's templates see of the same file (nulls, merged maps), so both outputs agree.
  const input = chartValues(raw);
  const result = configSchema.safeParse(input);
  if (!result.success) {
    throw new ConfigError(result.error.issues.flatMap((issue) => issueMessages(issue, input, file)));
  }
  const problems = brokenRules(result.data).map((rule) => `${file}: ${ruleMessage(rule, result.data)}`);
  if (problems.length > 0) throw new ConfigError(problems);
  return result.data;
}

function describe(value: unknown): string {
  if (value === undefined) return 'missing';
  if (typeof value === 'string') return JSON.stringify(value);
  if (Array.isArray(value)) return `a list (${JSON.stringify(value)})`;
  if (value === null) return 'null';
  if (typeof value === 'object') return 'a map';
  return String(value);
}

function typeName(value: unknown): string {
  if (Array.isArray(value)) return 'a list';
  if (value === null) return 'null';
  return `a ${typeof value}`;
}

function issueMessages(issue: z.core.$ZodIssue, input: unknown, file: string): string[] {
  const key = issue.path.map(String).join('.');
  const value = lookup(input, key);
  const at = `${file}: ${key || '(top level)'}`;
  switch (issue.code) {
    case 'unrecognized_keys':
      return issue.keys.map((unknownKey) => {
        const known = knownKeys(issue.path.map(String));
        const suggestion = closest(unknownKey, known);
        const full = key ? `${key}.${unknownKey}` : unknownKey;
        const fix = suggestion ? `did you mean ${key ? key + '.' : ''}${suggestion}?` : `keys here: ${known.join(', ')}`;
        return `${file}: ${full} is not a known key; ${fix}`;
      });
    case 'invalid_type':
      return [`${at} is ${describe(value)} (${typeName(value)}) but must be ${expectedType(issue.expected)}; fix the type in the file`];
    case 'too_small':
      if (issue.origin === 'string') return [`${at} is ${describe(value)} but must be at least ${String(issue.minimum)} characters long`];
      if (issue.origin === 'array') return [`${at} is ${describe(value)} but must list at least ${String(issue.minimum)} item(s)`];
      return [`${at} is ${describe(value)} but must be ${issue.inclusive ? 'at least' : 'greater than'} ${String(issue.minimum)}; raise it`];
    case 'too_big':
      if (issue.origin === 'string') return [`${at} is ${describe(value)} but must be at most ${String(issue.maximum)} characters long; shorten it`];
      return [`${at} is ${describe(value)} but must be ${issue.inclusive ? 'at most' : 'less than'} ${String(issue.maximum)}; lower it`];
    case 'invalid_value': {
      const allowed = issue.values.map((v) => String(v));
      // YAML 1.1 (Helm's and ours) reads a bare off/on/yes/no as a boolean.
      const quoted = typeof value === 'boolean' ? allowed.find((a) => /^(off|on|yes|no|true|false)$/i.test(a)) : undefined;
      const hint = quoted ? `; write it in quotes ("${quoted}"): YAML reads a bare ${quoted} as ${value}` : '';
      return [`${at} is ${describe(value)} but must be one of ${allowed.join(', ')}${hint}`];
    }
    case 'invalid_format':
      return [`${at} is ${describe(value)} but must be ${issue.message}`];
    case 'invalid_key': {
      const badKey = String(issue.path[issue.path.length - 1]);
      const parent = issue.path.slice(0, -1).map(String).join('.');
      const why = issue.issues.map((i) => i.message).join('; ');
      return [`${file}: ${parent} has the key ${JSON.stringify(badKey)}, which is not ${why}; rename it (e.g. team or example.com/team)`];
    }
    case 'invalid_union':
      return [`${at} is ${describe(value)} but must be ${unionHint(issue)}`];
    default:
      return [`${at} is ${describe(value)}: ${issue.message}`];
  }
}

function expectedType(expected: string): string {
  switch (expected) {
    case 'int': case 'number': return 'a whole number such as 3';
    case 'boolean': return 'true or false';
    case 'string': return 'a string';
    case 'object': return 'a map of keys';
    case 'record': return 'a map of keys';
    case 'array': return 'a list';
    default: return expected;
  }
}

function unionHint(issue: z.core.$ZodIssueInvalidUnion): string {
  const messages = issue.errors.flat().map((e) => (e.code === 'invalid_value' ? `""` : e.message));
  return [...new Set(messages)].join(' or ');
}

/** Keys the schema allows at a path, for "did you mean". */
export function knownKeys(pathSegments: string[]): string[] {
  let node: z.core.$ZodType = configSchema;
  for (const segment of pathSegments) {
    const shape = objectShape(node);
    if (!shape || !(segment in shape)) return [];
    node = shape[segment];
  }
  return Object.keys(objectShape(node) ?? {});
}


function closest(word: string, candidates: string[]): string | undefined {
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const c of candidates) {
    const d = editDistance(word.toLowerCase(), c.toLowerCase());
    if (d < bestDistance) {
      best = c;
      bestDistance = d;
    }
  }
  return best !== undefined && bestDistance <= Math.max(2, Math.floor(word.length / 3)) ? best : undefined;
}

function editDistance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    let prev = row[0];
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const tmp = row[j];
      row[j] = Math.min(row[j] + 1, row[j - 1] + 1, prev + (a[i - 1] === b[j - 1] ? 0 : 1));
      prev = tmp;
    }
  }
  return row[b.length];
}
