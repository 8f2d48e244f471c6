/**
 * A tiny expression language over config paths and release facts. One expression serves twice:
 * evaluated in TypeScript for static manifests and validation, and compiled to a Go template
 * pipeline for the Helm chart. That is what keeps the chart's toggles, names and `fail` checks
 * identical to the TypeScript ones: nobody writes the Go twin of a TypeScript rule by hand.
 *
 * Paths are typed against the schema: `truthy('redis.persistence.enabld')` does not compile, and
 * neither does `eq(at('redis.mode'), 'sentinl')`.
 */

import { createHash } from 'crypto';
import { isIntegerPath } from './introspect';
import type { Config } from './schema';

type Primitive = string | number | boolean | null | undefined;
/** A map with free keys (labels, selectors), not a section of named keys. */
type IsRecord<T> = string extends keyof T ? true : false;

type PathsOf<T, P extends string> = {
  [K in keyof T & string]:
    | `${P}${K}`
    | (T[K] extends Primitive | readonly unknown[] ? never : IsRecord<T[K]> extends true ? never : PathsOf<T[K], `${P}${K}.`>);
}[keyof T & string];

/** Every key of the config, sections included: `redis`, `redis.persistence`, `redis.persistence.enabled`, … */
export type ConfigPath = PathsOf<Config, ''>;

/** The type of the config at a path. */
export type ValueAt<P extends string, T = Config> = P extends `${infer Head}.${infer Rest}`
  ? Head extends keyof T
    ? ValueAt<Rest, T[Head]>
    : never
  : P extends keyof T
    ? T[P]
    : never;

/** The paths whose value has the shape S (e.g. every persistence block). */
export type PathTo<S> = { [P in ConfigPath]: ValueAt<P> extends S ? P : never }[ConfigPath];

/** `<path>.<key>`, checked against the schema. */
export function child<P extends ConfigPath, K extends keyof ValueAt<P> & string>(path: P, key: K): `${P}.${K}` & ConfigPath {
  return `${path}.${key}` as `${P}.${K}` & ConfigPath;
}

export type Scalar = string | number | boolean;

/** Facts of the release that are not values: `.Release.Name`, `.Release.Namespace`, … */
export type ReleaseField = 'name' | 'namespace' | 'service' | 'appVersion';

type Node =
  | { readonly path: string }
  | { readonly literal: unknown }
  | { readonly release: ReleaseField }
  | { readonly arg: number }
  | { readonly op: 'add' | 'sub' | 'div' | 'mod'; readonly a: Node; readonly b: Node }
  | { readonly fn: 'default'; readonly value: Node; readonly fallback: Node }
  | { readonly fn: 'concat'; readonly parts: readonly Node[] }
  | { readonly fn: 'trunc'; readonly length: number; readonly value: Node }
  | { readonly fn: 'trimSuffix'; readonly suffix: string; readonly value: Node }
  | { readonly fn: 'sha256'; readonly value: Node }
  | { readonly fn: 'toJson'; readonly value: Node }
  | { readonly fn: 'dict'; readonly entries: readonly (readonly [Node, Node])[] }
  | { readonly fn: 'merge'; readonly winner: Node; readonly other: Node }
  | { readonly fn: 'choose'; readonly cond: Pred; readonly then: Node; readonly otherwise: Node }
  | { readonly fn: 'field'; readonly of: Node; readonly key: string }
  | { readonly fn: 'lists'; readonly lists: readonly Node[] }
  | { readonly fn: 'count'; readonly list: Node }
  | { readonly fn: 'distinctCount'; readonly list: Node; readonly field: string }
  | { readonly fn: 'bytes'; readonly units: ByteUnits; readonly value: Node }
  | { readonly fn: 'words'; readonly list: Node; readonly prefix: string }
  | { readonly fn: 'eachLine'; readonly list: Node; readonly fields: readonly string[]; readonly template: string; readonly suffix: Node }
  | { readonly fn: 'include'; readonly name: string; readonly body: Node; readonly args: readonly Node[] };

type IncludeNode = Extract<Node, { fn: 'include' }>;

/** How a memory size is written: Redis (200mb, 1gb; k = 1000, kb = 1024) or a Kubernetes quantity (256Mi, 1G). */
export type ByteUnits = 'redis' | 'kubernetes';
export const BYTE_FACTORS: Readonly<Record<ByteUnits, Readonly<Record<string, number>>>> = {
  redis: { '': 1, b: 1, k: 1e3, kb: 1024, m: 1e6, mb: 1024 ** 2, g: 1e9, gb: 1024 ** 3 },
  kubernetes: { '': 1, m: 1e-3, k: 1e3, M: 1e6, G: 1e9, T: 1e12, P: 1e15, E: 1e18, Ki: 1024, Mi: 1024 ** 2, Gi: 1024 ** 3, Ti: 1024 ** 4, Pi: 1024 ** 5, Ei: 1024 ** 6 },
};
/** The named template that computes `bytes` in the chart (defined in src/render/helm-only.ts). */
export const BYTES_TEMPLATE = 'session-database.bytes';

/** The `define` of BYTES_TEMPLATE: `(list <units> <text>)` to the bytes, printed as a float. */
export function bytesTemplate(): string {
  const factors = (units: ByteUnits) => Object.entries(BYTE_FACTORS[units]).map(([k, f]) => `${JSON.stringify(k)} ${f}`).join(' ');
  return `{{- define "${BYTES_TEMPLATE}" -}}
{{- $units := index . 0 -}}
{{- $text := index . 1 -}}
{{- $number := regexFind "^[0-9]+([.][0-9]+)?" $text -}}
{{- $suffix := trimPrefix $number $text -}}
{{- $factors := ternary (dict ${factors('redis')}) (dict ${factors('kubernetes')}) (eq $units "redis") -}}
{{- mulf (float64 $number) (get $factors (ternary (lower $suffix) $suffix (eq $units "redis"))) -}}
{{- end -}}
`;
}

/** The number of bytes a memory size means (see ByteUnits). */
export function byteCount(units: ByteUnits, text: unknown): number {
  const m = /^([0-9]+(?:\.[0-9]+)?)([A-Za-z]*)$/.exec(String(text));
  const factor = m ? BYTE_FACTORS[units][units === 'redis' ? m[2].toLowerCase() : m[2]] : undefined;
  if (!m || factor === undefined) throw new Error(`${JSON.stringify(text)} is not a ${units} memory size`);
  return Number(m[1]) * factor;
}

declare const operandType: unique symbol;
/** An expression whose value has type T. */
export type Operand<T = unknown> = Node & { readonly [operandType]?: T };

export type Pred =
  | { readonly cmp: 'eq' | 'ne' | 'lt' | 'le' | 'gt' | 'ge'; readonly a: Node; readonly b: Node }
  | { readonly truthy: string }
  | { readonly filled: Node }
  | { readonly matches: string; readonly pattern: string; readonly ignoreCase: boolean }
  | { readonly hasAnyKey: string; readonly keys: readonly string[] }
  | { readonly jsonMatches: string; readonly pattern: string; readonly ignoreCase: boolean }
  | { readonly hasKey: string; readonly key: string }
  | { readonly contains: string; readonly item: string }
  | { readonly all: readonly Pred[] }
  | { readonly any: readonly Pred[] }
  | { readonly not: Pred };

export const at = <P extends ConfigPath>(path: P): Operand<ValueAt<P>> => ({ path });
export const lit = <T>(literal: T): Operand<T> => ({ literal });
export const release = (field: ReleaseField): Operand<string> => ({ release: field });
/** The n-th argument of a named template (see `include`). */
export const arg = <T = string>(index: number): Operand<T> => ({ arg: index });

function isNode(x: unknown): x is Node {
  return typeof x === 'object' && x !== null && ['path', 'literal', 'release', 'arg', 'op', 'fn'].some((k) => k in x);
}
const operand = <T>(x: Operand<T> | T): Operand<T> => (isNode(x) ? (x as Operand<T>) : { literal: x });

type Num = Operand<number> | number;
const arith = (op: 'add' | 'sub' | 'div' | 'mod') => (a: Num, b: Num): Operand<number> => ({ op, a: operand(a), b: operand(b) });
export const add = arith('add');
export const sub = arith('sub');
export const div = arith('div');
export const mod = arith('mod');

export const eq = <T>(a: Operand<T>, b: Operand<NoInfer<T>> | NoInfer<T>): Pred => ({ cmp: 'eq', a, b: operand(b) });
export const ne = <T>(a: Operand<T>, b: Operand<NoInfer<T>> | NoInfer<T>): Pred => ({ cmp: 'ne', a, b: operand(b) });
const order = (cmp: 'lt' | 'le' | 'gt' | 'ge') => (a: Num, b: Num): Pred => ({ cmp, a: operand(a), b: operand(b) });
export const lt = order('lt');
export const le = order('le');
export const gt = order('gt');
export const ge = order('ge');
export const truthy = (path: ConfigPath): Pred => ({ truthy: path });
/**
 * Some line of the text at `path` matches `pattern` (multi-line mode: ^ and $ match at line ends).
 * The pattern must mean the same in JavaScript and in Go's RE2: no lookaround, no backreferences.
 */
export const matches = (path: ConfigPath, pattern: string, { ignoreCase = false } = {}): Pred => ({ matches: path, pattern, ignoreCase });
/** The map at `path` has at least one of `keys`. */
export const hasAnyKey = (path: ConfigPath, keys: readonly string[]): Pred => ({ hasAnyKey: path, keys });
/**
 * The JSON of the value at `path` (a list of objects) matches `pattern`, e.g. `"name":"default"`. For
 * objects whose string values hold no `"`, `\\`, `<`, `>` or `&` (JSON escapes them differently in Go).
 */
export const jsonMatches = (path: ConfigPath, pattern: string, { ignoreCase = false } = {}): Pred => ({ jsonMatches: path, pattern, ignoreCase });
/** The map at `path` has the key (Go's `hasKey`). */
export const hasKey = (path: ConfigPath, key: string): Pred => ({ hasKey: path, key });
/** The list at `path` holds the string (Go's `has`). */
export const contains = (path: ConfigPath, item: string): Pred => ({ contains: path, item });
export const all = (...preds: Pred[]): Pred => ({ all: preds });
export const any = (...preds: Pred[]): Pred => ({ any: preds });
export const not = (pred: Pred): Pred => ({ not: pred });

type Str = Operand<string> | string;
/** `value` unless it is empty (Go's `default`): "", 0, false, empty maps and lists count as empty. */
export const orElse = <T>(value: Operand<T>, fallback: Operand<T> | T): Operand<T> => ({ fn: 'default', value, fallback: operand(fallback) });
export const concat = (...parts: Str[]): Operand<string> => ({ fn: 'concat', parts: parts.map((p) => operand(p)) });
export const trunc = (length: number, value: Operand<string>): Operand<string> => ({ fn: 'trunc', length, value });
export const trimSuffix = (suffix: string, value: Operand<string>): Operand<string> => ({ fn: 'trimSuffix', suffix, value });
/** The number of items of a list. */
export const count = (list: Operand<unknown[]>): Operand<number> => ({ fn: 'count', list });
/**
 * The number of different values of `field` among a list's objects (string values without `"` or `\\`,
 * as the schema makes them: in the chart the values are read from the list's JSON).
 */
export const distinctCount = (list: Operand<unknown[]>, field: string): Operand<number> => ({ fn: 'distinctCount', list, field });
/** The bytes of a memory size (a number to compare). */
export const bytes = (units: ByteUnits, value: Operand<string | number>): Operand<number> => ({ fn: 'bytes', units, value });
/** The SHA-256 of the text, in hex (Go's `sha256sum`): short stable ids from long names. */
export const sha256 = (value: Operand<string>): Operand<string> => ({ fn: 'sha256', value });
/**
 * A value as JSON text (Go's `toJson`): map keys sorted and <, >, & and U+2028/2029 escaped as \u
 * sequences, exactly as Go's encoder writes them, so a file holding it is the same text in both outputs.
 */
export const toJson = (value: Operand): Operand<string> => ({ fn: 'toJson', value });

/** JSON text exactly as Go's encoding/json writes it (sorted keys, HTML-safe escapes). */
export function goJson(value: unknown): string {
  const sorted = (v: unknown): unknown =>
    Array.isArray(v) ? v.map(sorted) : typeof v === 'object' && v !== null ? Object.fromEntries(Object.keys(v).sort().map((k) => [k, sorted((v as Record<string, unknown>)[k])])) : v;
  return (JSON.stringify(sorted(value ?? null)) ?? 'null').replace(/[<>&\u2028\u2029]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

/** A map from key and value expressions. */
export const dict = (entries: readonly (readonly [Str, Operand | Scalar])[]): Operand<Record<string, any>> => ({
  fn: 'dict',
  entries: entries.map(([k, v]) => [operand(k), operand(v)] as const),
});
/**
 * Both maps, deeply; where both have a key, `winner`'s value, unless it is empty (false, 0, "", an empty
 * map or list), which the other's fills (Go's `merge`, mergo semantics: a value can add and change
 * settings, never switch one off with false).
 */
export const merge = <T extends object>(winner: Operand<T>, other: Operand<T> | T): Operand<T> => ({
  fn: 'merge',
  winner,
  other: operand(other),
});
/** `then` where the predicate holds, else `otherwise`. */
export const choose = <T>(cond: Pred, then: Operand<T> | T, otherwise: Operand<T> | T): Operand<T> => ({
  fn: 'choose',
  cond,
  then: operand(then),
  otherwise: operand(otherwise),
});
/** A key of a map-valued operand (e.g. of a section passed to a named template). */
export const field = <T = unknown>(of: Operand, key: string): Operand<T> => ({ fn: 'field', of, key });
/** The lists one after another, each item once (names of pull secrets, …). */
export const uniqueConcat = <T>(...lists: Operand<T[]>[]): Operand<T[]> => ({ fn: 'lists', lists });
/**
 * The words of a list, each in lower case after a space and `prefix`, one after another
 * (`[FLUSHALL, KEYS]` with prefix "-" gives " -flushall -keys"; an empty list gives "").
 */
export const words = (list: Operand<string[]>, prefix: string): Operand<string> => ({ fn: 'words', list, prefix });
/**
 * One line per object of a list: `template` with `{0}`, `{1}`, … replaced by the object's `fields`, each
 * line ending with a newline ("" for an empty list). In Go this rewrites the list's JSON with one regular
 * expression, so: `fields` are every key of the objects in alphabetical order (Go's JSON order), and the
 * values are strings the schema keeps free of `"`, `\\`, `<`, `>` and `&`.
 */
export const eachLine = (list: Operand<object[]>, fields: readonly string[], template: string, suffix: Operand<string> | string = ''): Operand<string> => {
  if ([...fields].sort().join() !== fields.join()) throw new Error(`eachLine: fields must be sorted (${fields.join(', ')})`);
  return { fn: 'eachLine', list, fields, template, suffix: operand(suffix) };
};
/** The operand is not empty (Go truth). */
export const filled = (x: Operand): Pred => ({ filled: x });
/**
 * A named template of the chart (`_helpers.tpl`): in Go `include "<chart>.<name>" …`, in TypeScript
 * the body evaluated with these arguments. `namedTemplates()` gives the `define` of each.
 */
export const include = <T>(name: string, body: Operand<T>, ...args: (Operand | Scalar)[]): Operand<T> => ({
  fn: 'include',
  name,
  body,
  args: args.map((a) => operand(a)),
});

/** The release facts of dist/ (what `helm install <name>` would give). */
export type ReleaseFacts = Readonly<Record<ReleaseField, string>>;

interface Scope {
  readonly values: unknown;
  readonly release?: ReleaseFacts;
  readonly args?: readonly unknown[];
}

export function lookup(values: unknown, path: string): unknown {
  let node: any = values;
  for (const key of path.split('.')) {
    if (node === null || typeof node !== 'object') return undefined;
    node = node[key];
  }
  return node;
}

/** The value of an operand for these values (and release facts, which names and labels use). */
export function evalOperand<T>(x: Operand<T>, values: unknown, release?: ReleaseFacts): T {
  return evalNode(x, { values, release }) as T;
}

function evalNode(x: Node, s: Scope): unknown {
  if ('path' in x) return lookup(s.values, x.path);
  if ('literal' in x) return x.literal;
  if ('release' in x) {
    if (!s.release) throw new Error(`release.${x.release} has no value here (only names and labels use the release)`);
    return s.release[x.release];
  }
  if ('arg' in x) return s.args?.[x.arg];
  if ('op' in x) {
    const a = Number(evalNode(x.a, s));
    const b = Number(evalNode(x.b, s));
    switch (x.op) {
      case 'add': return a + b;
      case 'sub': return a - b;
      case 'div': return Math.trunc(a / b);
      case 'mod': return a % b;
    }
  }
  switch (x.fn) {
    case 'default': {
      const value = evalNode(x.value, s);
      return goTruthy(value) ? value : evalNode(x.fallback, s);
    }
    case 'concat': return x.parts.map((p) => String(evalNode(p, s))).join('');
    case 'trunc': return String(evalNode(x.value, s)).slice(0, x.length);
    case 'trimSuffix': {
      const text = String(evalNode(x.value, s));
      return text.endsWith(x.suffix) ? text.slice(0, -x.suffix.length) : text;
    }
    case 'sha256': return createHash('sha256').update(String(evalNode(x.value, s))).digest('hex');
    case 'toJson': return goJson(evalNode(x.value, s));
    case 'dict': return Object.fromEntries(x.entries.map(([k, v]) => [String(evalNode(k, s)), evalNode(v, s)]));
    case 'merge': return mergeValues(evalNode(x.winner, s), evalNode(x.other, s));
    case 'choose': return holds(x.cond, s) ? evalNode(x.then, s) : evalNode(x.otherwise, s);
    case 'field': {
      const of = evalNode(x.of, s);
      return typeof of === 'object' && of !== null ? (of as Record<string, unknown>)[x.key] : undefined;
    }
    case 'lists': return [...new Set(x.lists.flatMap((l) => (evalNode(l, s) as unknown[] | undefined) ?? []))];
    case 'count': return ((evalNode(x.list, s) as unknown[] | undefined) ?? []).length;
    case 'distinctCount': return new Set(((evalNode(x.list, s) as Record<string, unknown>[] | undefined) ?? []).map((i) => i?.[x.field])).size;
    case 'words': return ((evalNode(x.list, s) as unknown[] | undefined) ?? []).map((w) => ` ${x.prefix}${String(w)}`.toLowerCase()).join('');
    case 'eachLine': return ((evalNode(x.list, s) as Record<string, unknown>[] | undefined) ?? [])
      .map((item) => `${x.template.replace(/\{(\d+)\}/g, (_, n) => String(item[x.fields[Number(n)]]))}${String(evalNode(x.suffix, s))}\n`)
      .join('');
    case 'include': return evalNode(x.body, { ...s, args: x.args.map((a) => evalNode(a, s)) });
    case 'bytes': return byteCount(x.units, evalNode(x.value, s));
  }
}

/** Go's `merge` (mergo): deep; the winner's non-empty values stay, its empty ones are filled from the other. */
function mergeValues(winner: unknown, other: unknown): unknown {
  const isMap = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
  if (!isMap(winner) || !isMap(other)) return goTruthy(winner) ? winner : other;
  const out: Record<string, unknown> = { ...other };
  // Own keys only: a user's map may have a key such as toString, which every JS object inherits.
  for (const [k, v] of Object.entries(winner)) out[k] = Object.hasOwn(other, k) ? mergeValues(v, other[k]) : v;
  return out;
}

/** Go template truth: false, 0, "", nil and EMPTY maps and lists are false (JS would call {} and [] true). */
export function goTruthy(value: unknown): boolean {
  if (Array.isArray(value)) return value.length > 0;
  if (typeof value === 'object' && value !== null) return Object.keys(value).length > 0;
  return Boolean(value);
}

export function evaluate(p: Pred, values: unknown, release?: ReleaseFacts): boolean {
  return holds(p, { values, release });
}

function holds(p: Pred, s: Scope): boolean {
  if ('truthy' in p) return goTruthy(lookup(s.values, p.truthy));
  if ('filled' in p) return goTruthy(evalNode(p.filled, s));
  if ('matches' in p) return new RegExp(p.pattern, p.ignoreCase ? 'mi' : 'm').test(String(lookup(s.values, p.matches) ?? ''));
  if ('hasAnyKey' in p) {
    const map = lookup(s.values, p.hasAnyKey);
    return typeof map === 'object' && map !== null && p.keys.some((k) => Object.prototype.hasOwnProperty.call(map, k));
  }
  if ('jsonMatches' in p) return new RegExp(p.pattern, p.ignoreCase ? 'i' : '').test(JSON.stringify(lookup(s.values, p.jsonMatches) ?? null));
  if ('hasKey' in p) {
    const map = lookup(s.values, p.hasKey);
    return typeof map === 'object' && map !== null && !Array.isArray(map) && Object.prototype.hasOwnProperty.call(map, p.key);
  }
  if ('contains' in p) {
    const list = lookup(s.values, p.contains);
    return Array.isArray(list) && list.includes(p.item);
  }
  if ('all' in p) return p.all.every((q) => holds(q, s));
  if ('any' in p) return p.any.some((q) => holds(q, s));
  if ('not' in p) return !holds(p.not, s);
  const a = evalNode(p.a, s) as any;
  const b = evalNode(p.b, s) as any;
  switch (p.cmp) {
    case 'eq': return a === b;
    case 'ne': return a !== b;
    case 'lt': return a < b;
    case 'le': return a <= b;
    case 'gt': return a > b;
    case 'ge': return a >= b;
  }
}

/** Where Go finds the root context and the template's arguments: `.` outside a define, `$root` inside. */
export interface GoScope {
  readonly root: string;
  readonly args: readonly string[];
}
const TOP: GoScope = { root: '.', args: [] };
const rootRef = (g: GoScope, field: string) => (g.root === '.' ? `.${field}` : `${g.root}.${field}`);

/** The chart's name, which prefixes every named template. */
export const CHART_NAME = 'session-database';

const RELEASE_GO: Record<ReleaseField, string> = {
  name: 'Release.Name',
  namespace: 'Release.Namespace',
  service: 'Release.Service',
  appVersion: 'Chart.AppVersion',
};

/**
 * `.Values.a.b`, wrapped in int64 where the schema says integer: Helm reads every YAML
 * number as float64, which would print 1800000 as 1.8e+06.
 */
export function goPath(path: string, g: GoScope = TOP): string {
  const ref = rootRef(g, `Values.${path}`);
  return isIntegerPath(path) ? `(int64 ${ref})` : ref;
}

/** A Go pipeline whose value is the operand's. Maps stay maps (the caller adds `toJson`). */
export function goOperand(x: Node, g: GoScope = TOP): string {
  if ('path' in x) return goPath(x.path, g);
  if ('literal' in x) return goLiteral(x.literal);
  if ('release' in x) return rootRef(g, RELEASE_GO[x.release]);
  if ('arg' in x) {
    const ref = g.args[x.arg];
    if (ref === undefined) throw new Error(`argument ${x.arg} used outside its named template`);
    return ref;
  }
  const sub = (n: Node) => nested(goOperand(n, g));
  if ('op' in x) return `${x.op} ${sub(x.a)} ${sub(x.b)}`;
  switch (x.fn) {
    case 'default': return `default ${sub(x.fallback)} ${sub(x.value)}`;
    case 'concat': return x.parts.length === 1 ? `toString ${sub(x.parts[0])}` : `print ${x.parts.map(sub).join(' ')}`;
    case 'trunc': return `trunc ${x.length} ${sub(x.value)}`;
    case 'trimSuffix': return `trimSuffix ${JSON.stringify(x.suffix)} ${sub(x.value)}`;
    case 'sha256': return `sha256sum ${sub(x.value)}`;
    case 'toJson': return `toJson ${sub(x.value)}`;
    case 'dict': return `dict ${x.entries.map(([k, v]) => `${'literal' in k ? sub(k) : `(toString ${sub(k)})`} ${sub(v)}`).join(' ')}`;
    case 'merge': return `merge (deepCopy ${sub(x.winner)}) (deepCopy ${sub(x.other)})`;
    case 'choose': return `ternary ${sub(x.then)} ${sub(x.otherwise)} (${goBool(x.cond, g)})`;
    case 'field': return `index ${sub(x.of)} ${JSON.stringify(x.key)}`;
    case 'lists': return `concat ${x.lists.map((l) => `(default list ${nested(goOperand(l, g))})`).join(' ')} | uniq`;
    case 'count': return `len (default list ${sub(x.list)})`;
    case 'distinctCount': return `len (uniq (regexFindAll ${JSON.stringify(`"${x.field}":"[^"]*"`)} (toJson (default list ${sub(x.list)})) -1))`;
    case 'bytes': return `float64 (include ${JSON.stringify(BYTES_TEMPLATE)} (list ${JSON.stringify(x.units)} (toString ${sub(x.value)})))`;
    case 'words': {
      const list = `(default list ${nested(goOperand(x.list, g))})`;
      const sep = JSON.stringify(` ${x.prefix}`);
      return `lower (ternary (print ${sep} (join ${sep} ${list})) "" (not (empty ${list})))`;
    }
    case 'eachLine': {
      const item = `\\{${x.fields.map((f) => `"${f}":"([^"]*)"`).join(',')}\\},?`;
      // The suffix is part of the replacement: it must hold no "$".
      const line = `print ${JSON.stringify(x.template.replace(/\{(\d+)\}/g, (_, n) => `\${${Number(n) + 1}}`))} ${nested(goOperand(x.suffix, g))} "\\n"`;
      const json = `toJson (default list ${nested(goOperand(x.list, g))})`;
      return `regexReplaceAll "^\\\\[|\\\\]$" (regexReplaceAll ${JSON.stringify(item)} (${json}) (${line})) ""`;
    }
    case 'include': {
      const call = includeCall(x, g);
      return isMapValued(x.body) ? `${call} | fromJson` : call;
    }
  }
}

/** `include "<chart>.<name>" <context>` of a named template (one that returns a map prints JSON). */
export function includeCall(x: Operand, g: GoScope = TOP): string {
  if (!('fn' in x) || x.fn !== 'include') throw new Error('not a named template');
  const context = x.args.length === 0 ? g.root : `(list ${g.root} ${x.args.map((a) => nested(goOperand(a, g))).join(' ')})`;
  return `include "${CHART_NAME}.${x.name}" ${context}`;
}

/** A pipeline as the argument of another: in parentheses unless it is one word or one quoted string. */
export function nested(go: string): string {
  return /^([^\s"()]+|"([^"\\]|\\.)*"|\(.*\))$/.test(go) && balanced(go) ? go : `(${go})`;
}

function balanced(go: string): boolean {
  if (!go.startsWith('(')) return true;
  let depth = 0;
  let quoted = false;
  for (let i = 0; i < go.length; i++) {
    const c = go[i];
    if (quoted) {
      if (c === '\\') i++;
      else if (c === '"') quoted = false;
    } else if (c === '"') quoted = true;
    else if (c === '(') depth++;
    else if (c === ')' && --depth === 0 && i < go.length - 1) return false;
  }
  return depth === 0;
}

/** A constant in Go: scalars as literals, maps and lists through fromJson. */
function goLiteral(value: unknown): string {
  if (typeof value === 'object' && value !== null) {
    return Array.isArray(value) ? `fromJsonArray ${JSON.stringify(JSON.stringify(value))}` : `fromJson ${JSON.stringify(JSON.stringify(value))}`;
  }
  return JSON.stringify(value);
}

/** A predicate as a Go bool (for `ternary`): `and`/`or` and plain values are not bools in Go. */
function goBool(p: Pred, g: GoScope): string {
  return 'cmp' in p || 'matches' in p || 'hasAnyKey' in p || 'jsonMatches' in p ? toGo(p, g) : `not (empty (${toGo(p, g)}))`;
  return 'cmp' in p || 'matches' in p || 'hasKey' in p || 'contains' in p ? toGo(p, g) : `not (empty (${toGo(p, g)}))`;
}

/** Whether the operand is a map (labels): Go must print it with toJson. */
export function isMapValued(x: Node): boolean {
  return 'fn' in x && (x.fn === 'dict' || x.fn === 'merge' || (x.fn === 'include' && isMapValued(x.body)));
}

/** Go template pipeline that is true exactly when `evaluate` is. */
export function toGo(p: Pred, g: GoScope = TOP): string {
  if ('truthy' in p) return rootRef(g, `Values.${p.truthy}`);
  if ('filled' in p) return goOperand(p.filled, g);
  if ('jsonMatches' in p) return `regexMatch ${JSON.stringify(`${p.ignoreCase ? '(?i)' : ''}${p.pattern}`)} (toJson ${rootRef(g, `Values.${p.jsonMatches}`)})`;
  if ('matches' in p) return `regexMatch ${JSON.stringify(`(?m${p.ignoreCase ? 'i' : ''})${p.pattern}`)} (toString ${rootRef(g, `Values.${p.matches}`)})`;
  if ('hasAnyKey' in p) {
    const map = `(default (dict) ${rootRef(g, `Values.${p.hasAnyKey}`)})`;
    const tests = p.keys.map((k) => `(hasKey ${map} ${JSON.stringify(k)})`);
    return tests.length === 1 ? tests[0].slice(1, -1) : `or ${tests.join(' ')}`;
  }
  if ('hasKey' in p) return `hasKey (default dict ${rootRef(g, `Values.${p.hasKey}`)}) ${JSON.stringify(p.key)}`;
  if ('contains' in p) return `has ${JSON.stringify(p.item)} (default list ${rootRef(g, `Values.${p.contains}`)})`;
  if ('all' in p) return p.all.length === 1 ? toGo(p.all[0], g) : `and ${p.all.map((q) => `(${toGo(q, g)})`).join(' ')}`;
  if ('any' in p) return p.any.length === 1 ? toGo(p.any[0], g) : `or ${p.any.map((q) => `(${toGo(q, g)})`).join(' ')}`;
  if ('not' in p) return `not (${toGo(p.not, g)})`;
  return `${p.cmp} ${nested(goOperand(p.a, g))} ${nested(goOperand(p.b, g))}`;
}

/** Every named template the operands use, by name (for `_helpers.tpl`). */
export function namedTemplates(...operands: Operand[]): Map<string, IncludeNode> {
  const found = new Map<string, IncludeNode>();
  const walk = (x: Node) => {
    if ('op' in x) return [x.a, x.b].forEach(walk);
    if (!('fn' in x)) return;
    switch (x.fn) {
      case 'default': walk(x.value); walk(x.fallback); break;
      case 'concat': x.parts.forEach(walk); break;
      case 'trunc': case 'trimSuffix': case 'sha256': case 'toJson': walk(x.value); break;
      case 'dict': x.entries.forEach(([k, v]) => { walk(k); walk(v); }); break;
      case 'merge': walk(x.winner); walk(x.other); break;
      case 'choose': walk(x.then); walk(x.otherwise); break;
      case 'field': walk(x.of); break;
      case 'lists': x.lists.forEach(walk); break;
      case 'count': case 'distinctCount': walk(x.list); break;
      case 'words': walk(x.list); break;
      case 'eachLine': walk(x.list); walk(x.suffix); break;
      case 'include':
        x.args.forEach(walk);
        walk(x.body);
        found.set(x.name, x);
        break;
    }
  };
  operands.forEach(walk);
  return found;
}

/** The `define` of a named template: its body compiled with `$root` and the arguments of `list`. */
export function defineTemplate(template: IncludeNode): string {
  const name = `${CHART_NAME}.${template.name}`;
  const output = (g: GoScope) => (isMapValued(template.body) ? `toJson ${nested(goOperand(template.body, g))}` : goOperand(template.body, g));
  if (template.args.length === 0) return `{{- define "${name}" -}}\n{{- ${output(TOP)} -}}\n{{- end -}}\n`;
  const g: GoScope = { root: '$root', args: template.args.map((_, i) => `(index . ${i + 1})`) };
  return `{{- define "${name}" -}}\n{{- $root := index . 0 -}}\n{{- ${output(g)} -}}\n{{- end -}}\n`;
}
