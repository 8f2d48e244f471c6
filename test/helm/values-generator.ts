/**
 * Random VALID value sets derived from the config schema itself (src/config/schema.ts).
 *
 * Every leaf key of the schema — and every key added later — gets an arbitrary built from its zod 4
 * definition (`_zod.def`): booleans, enums, literals, integers and numbers within their bounds, strings
 * matching their regex and length checks, label maps, unions such as `.or(z.literal(''))`, arrays, and
 * free-form records/objects (Kubernetes subtrees such as affinity or tolerations). Nothing is named here
 * except the short, commented NARROWED list, and the cross-key repairs in ./values-repairs.ts.
 *
 * Sections are always present and each leaf is present in about 5 of 6 sets (absent = the default), so
 * Helm's merge of values.yaml and the schema defaults are exercised too. Cross-key rules are satisfied by
 * repairing each generated set (never by filtering it out), and the result is checked by the real loader:
 * a generator bug throws instead of shrinking the sample.
 */
import fc from 'fast-check';
import { z } from 'zod';
import { lookup } from '../../src/config/expr';
import { validate } from '../../src/config/load';
import { Config, ConfigInput, configSchema } from '../../src/config/schema';
import { repairValues } from './values-repairs';

type Schema = z.core.$ZodType;

/** fast-check may give a map an own "__proto__" key; no Kubernetes field has that name, and zod drops it. */
const withoutProtoKey = <T extends Record<string, unknown>>(d: T) => !Object.prototype.hasOwnProperty.call(d, '__proto__');


/** Wrappers that do not change which values are valid for the generator's purposes. */
const WRAPPERS = new Set(['default', 'prefault', 'optional', 'nullable', 'readonly', 'catch', 'nonoptional']);

/** The schema under defaults/optional/readonly wrappers and pipes (the input side of a pipe). */
function inner(schema: Schema): any {
  let node: any = schema;
  for (;;) {
    const def = node._zod.def;
    if (WRAPPERS.has(def.type)) node = def.innerType;
    else if (def.type === 'pipe') node = def.in;
    else if (def.type === 'lazy') node = def.getter();
    else return node;
  }
}

/** Whether the schema (before unwrapping) accepts `null`. */
function acceptsNull(schema: Schema): boolean {
  let node: any = schema;
  while (WRAPPERS.has(node._zod.def.type)) {
    if (node._zod.def.type === 'nullable') return true;
    node = node._zod.def.innerType;
  }
  return false;
}

/** An object with a fixed shape is a section (walked into); anything else is a leaf. */
function sectionShape(schema: Schema): Record<string, Schema> | undefined {
  const def = inner(schema)._zod.def;
  return def.type === 'object' && Object.keys(def.shape).length > 0 ? def.shape : undefined;
}

/** Every leaf path of the schema (dot-separated), in schema order. */
export function leafPaths(schema: Schema = configSchema, prefix = ''): string[] {
  const shape = sectionShape(schema);
  if (!shape) return [prefix];
  return Object.entries(shape).flatMap(([key, child]) => leafPaths(child, prefix ? `${prefix}.${key}` : key));
}

/** The schema of a leaf path. */
export function leafSchema(path: string): Schema {
  let node: Schema = configSchema;
  for (const key of path.split('.')) {
    const shape = sectionShape(node);
    if (!shape || !(key in shape)) throw new Error(`${path} is not a path of the config schema`);
    node = shape[key];
  }
  return node;
}

/**
 * Keys whose random values are narrowed (never excluded: each still takes several values). Only for
 * values that the schema accepts but that no real cluster could take, so rendering them proves nothing.
 */
export const NARROWED: Record<string, { why: string; arbitrary: fc.Arbitrary<unknown> }> = {};

const MAX_ITEMS = 3;
const INT32_MAX = 2 ** 31 - 1;

/** Strings a free-text key may hold: mostly names, sometimes the characters that break naive YAML/templating. */
const freeText = fc.oneof(
  { weight: 4, arbitrary: fc.stringMatching(/^[a-z][a-z0-9-]{0,14}$/) },
  {
    weight: 2,
    arbitrary: fc.constantFrom(
      '', ' leading space', 'trailing space ', 'colon: inside', '"double" and \'single\'', 'hash # inside', '{{ .Values.x }}',
      'two\nlines', 'ünïcødé ✓', 'yes', 'off', '1.50', 'null', '- dash', '*', '%s %d', 'back\\slash',
    ),
  },
  { weight: 1, arbitrary: fc.string({ unit: 'grapheme', maxLength: 12 }) },
);

/** Free-form Kubernetes subtrees: maps of maps, lists, strings, integers and booleans (no floats: Kubernetes objects carry none). */
const freeForm: fc.Arbitrary<unknown> = fc.letrec((tie) => ({
  scalar: fc.oneof(fc.stringMatching(/^[a-zA-Z0-9./-]{0,12}$/), fc.integer({ min: -1000, max: 100000 }), fc.boolean()),
  node: fc.oneof({ depthSize: 'small', maxDepth: 3 }, tie('scalar'), tie('map'), tie('list')),
  map: fc.dictionary(fc.stringMatching(/^[a-zA-Z][a-zA-Z0-9]{0,10}$/), tie('node'), { maxKeys: MAX_ITEMS }).filter(withoutProtoKey),
  list: fc.array(tie('node'), { maxLength: MAX_ITEMS }),
})).node;

function checksOf(def: any): any[] {
  return (def.checks ?? []).map((c: any) => c._zod.def);
}

function numberArbitrary(def: any): fc.Arbitrary<number> {
  let min: number | undefined;
  let max: number | undefined;
  let minExcluded = false;
  let maxExcluded = false;
  for (const c of checksOf(def)) {
    if (c.check === 'greater_than') [min, minExcluded] = [c.value, !c.inclusive];
    if (c.check === 'less_than') [max, maxExcluded] = [c.value, !c.inclusive];
  }
  const integer = typeof def.format === 'string' && /int/.test(def.format);
  if (integer) {
    const lo = min === undefined ? -1000 : minExcluded ? min + 1 : min;
    const hi = max === undefined ? INT32_MAX : maxExcluded ? max - 1 : max;
    // Large values are where Helm's float64 numbers print as 1e+06; fast-check biases towards small ones too.
    return fc.integer({ min: lo, max: Math.min(hi, INT32_MAX) });
  }
  // Decimal fractions with up to 3 digits, as a person writes them (0.85, 0.125), not 5e-324.
  const lo = min ?? -1000;
  const hi = max ?? 1000;
  return fc
    .integer({ min: Math.ceil(lo * 1000), max: Math.floor(hi * 1000) })
    .map((n) => n / 1000)
    .filter((x) => (!minExcluded || x > lo) && (!maxExcluded || x < hi));
}

function stringArbitrary(def: any): fc.Arbitrary<string> {
  const checks = checksOf(def);
  const pattern: RegExp | undefined = def.pattern ?? checks.find((c) => c.check === 'string_format' && c.pattern)?.pattern;
  if (pattern) {
    // stringMatching refuses the i flag; the lower-case subset of a case-insensitive pattern is valid too.
    const supported = new RegExp(pattern.source, pattern.flags.replace(/[iy]/g, ''));
    // xsmall keeps every repetition short; length checks are left to the schema filter in arbitraryOf.
    return fc.stringMatching(supported, { size: 'xsmall' });
  }
  const minLength = Math.max(0, ...checks.filter((c) => c.check === 'min_length').map((c) => c.minimum));
  return minLength > 0 ? freeText.filter((s) => s.length >= minLength) : freeText;
}

/** An arbitrary of the values a schema accepts (every value is checked against the schema itself). */
export function arbitraryOf(schema: Schema): fc.Arbitrary<unknown> {
  const node = inner(schema);
  const def = node._zod.def;
  let arb: fc.Arbitrary<unknown>;
  switch (def.type) {
    case 'boolean': arb = fc.boolean(); break;
    case 'enum': arb = fc.constantFrom(...Object.values(def.entries)); break;
    case 'literal': arb = fc.constantFrom(...def.values); break;
    case 'null': arb = fc.constant(null); break;
    case 'number': arb = numberArbitrary(def); break;
    case 'string': arb = stringArbitrary(def); break;
    case 'union': arb = fc.oneof(...def.options.map((o: Schema) => arbitraryOf(o))); break;
    case 'array': {
      const checks = checksOf(def);
      const minLength = Math.max(0, ...checks.filter((c) => c.check === 'min_length').map((c) => c.minimum));
      const maxLength = Math.min(Math.max(minLength, MAX_ITEMS), ...checks.filter((c) => c.check === 'max_length').map((c) => c.maximum));
      arb = fc.array(arbitraryOf(def.element), { minLength, maxLength });
      break;
    }
    case 'tuple': arb = fc.tuple(...def.items.map((i: Schema) => arbitraryOf(i))); break;
    case 'record': {
      const key = def.keyType._zod.def.type === 'string' ? arbitraryOf(def.keyType) : fc.stringMatching(/^[a-z][a-z0-9]{0,10}$/);
      arb = fc.dictionary(key as fc.Arbitrary<string>, arbitraryOf(def.valueType), { maxKeys: MAX_ITEMS }).filter(withoutProtoKey);
      break;
    }
    case 'object': {
      const shape: Record<string, Schema> = def.shape;
      if (Object.keys(shape).length === 0) {
        arb = freeForm.filter((v) => typeof v === 'object' && v !== null && !Array.isArray(v));
        break;
      }
      const required = Object.keys(shape).filter((k) => (shape[k] as any)._zod.optin !== 'optional');
      arb = fc.record(Object.fromEntries(Object.entries(shape).map(([k, s]) => [k, arbitraryOf(s)])), { requiredKeys: required });
      break;
    }
    case 'unknown':
    case 'any': arb = freeForm; break;
    default:
      throw new Error(`the values generator has no arbitrary for zod type "${def.type}"; add one in test/helm/values-generator.ts`);
  }
  if (acceptsNull(schema)) arb = fc.oneof({ weight: 1, arbitrary: fc.constant(null) }, { weight: 5, arbitrary: arb });
  return arb.filter((v) => (schema as any).safeParse(v).success);
}

/** Sections always present, each leaf with a default present or absent (absent = its default). */
function sectionArbitrary(schema: Schema, prefix: string): fc.Arbitrary<Record<string, unknown>> {
  const shape = sectionShape(schema)!;
  const model: Record<string, fc.Arbitrary<unknown>> = {};
  const required: string[] = [];
  for (const [key, child] of Object.entries(shape)) {
    const path = prefix ? `${prefix}.${key}` : key;
    if (sectionShape(child)) {
      model[key] = sectionArbitrary(child, path);
      required.push(key);
    } else {
      model[key] = NARROWED[path]?.arbitrary ?? arbitraryOf(child);
      if ((child as any)._zod.optin !== 'optional') required.push(key);
    }
  }
  return fc.record(model, { requiredKeys: required });
}

/** Random valid value sets for the whole schema, repaired to satisfy the cross-key rules, checked by the loader. */
/**
 * Two workloads that create a ServiceAccount of the same name would make one object twice (Kubernetes and
 * Helm refuse that; no rule can, since the default names differ): later ones get a suffix.
 */
function distinctServiceAccounts(values: any): void {
  const seen = new Set<string>();
  const walk = (node: any) => {
    if (!node || typeof node !== 'object' || Array.isArray(node)) return;
    const sa = node.serviceAccount;
    if (sa && typeof sa === 'object' && sa.create !== false && typeof sa.name === 'string' && sa.name) {
      let name = sa.name;
      for (let i = 1; seen.has(name); i++) name = `${sa.name.slice(0, 50)}-${i}`;
      sa.name = name;
      seen.add(name);
    }
    for (const [key, child] of Object.entries(node)) if (key !== 'serviceAccount') walk(child);
  };
  walk(values);
}

export const validValues: fc.Arbitrary<ConfigInput> = sectionArbitrary(configSchema, '').map((raw) => {
  const values = repairValues(structuredClone(raw));
  distinctServiceAccounts(values);
  validate(values, 'values/generated.yaml');
  return values as ConfigInput;
});

/** The seeds and run count of the parity test, shared with the coverage test so both see the same sets. */
export const PARITY_RUNS = 50;
export const paritySeed = (helmMajor: number) => 20261123 + helmMajor;

/** What a leaf took across a sample of value sets, read from the validated config (defaults filled in). */
export interface LeafCoverage {
  /** Leaf paths that held one value (or none) across every set. */
  readonly neverVaried: string[];
  /** Enum members and booleans never taken, as "path=value". */
  readonly untakenChoices: string[];
  readonly leaves: number;
}

export function leafCoverage(configs: readonly Config[]): LeafCoverage {
  const paths = leafPaths();
  const neverVaried: string[] = [];
  const untakenChoices: string[] = [];
  for (const path of paths) {
    const seen = new Set(configs.map((c) => JSON.stringify(lookup(c, path))));
    if (seen.size < 2) neverVaried.push(path);
    const def = inner(leafSchema(path))._zod.def;
    const choices: unknown[] = def.type === 'boolean' ? [true, false] : def.type === 'enum' ? Object.values(def.entries) : [];
    for (const choice of choices) if (!seen.has(JSON.stringify(choice))) untakenChoices.push(`${path}=${String(choice)}`);
  }
  return { neverVaried, untakenChoices, leaves: paths.length };
}
