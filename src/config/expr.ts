/**
 * A tiny expression language over config paths. One expression serves twice:
 * evaluated in TypeScript for static manifests and validation, and compiled to a
 * Go template pipeline for the Helm chart. That is what keeps the chart's toggles
 * and its `fail` checks identical to the TypeScript ones.
 */

import { isIntegerPath } from './introspect';

export type Scalar = string | number | boolean;

export type Operand =
  | { readonly path: string }
  | { readonly literal: Scalar }
  | { readonly op: 'add' | 'sub' | 'div' | 'mod'; readonly a: Operand; readonly b: Operand };

export type Pred =
  | { readonly cmp: 'eq' | 'ne' | 'lt' | 'le' | 'gt' | 'ge'; readonly a: Operand; readonly b: Operand }
  | { readonly truthy: string }
  | { readonly all: readonly Pred[] }
  | { readonly any: readonly Pred[] }
  | { readonly not: Pred };

export const at = (path: string): Operand => ({ path });
export const lit = (literal: Scalar): Operand => ({ literal });
const operand = (x: Operand | Scalar): Operand => (typeof x === 'object' ? x : lit(x));
const arith = (op: 'add' | 'sub' | 'div' | 'mod') => (a: Operand | Scalar, b: Operand | Scalar): Operand => ({ op, a: operand(a), b: operand(b) });
export const add = arith('add');
export const sub = arith('sub');
export const div = arith('div');
export const mod = arith('mod');
const compare = (cmp: 'eq' | 'ne' | 'lt' | 'le' | 'gt' | 'ge') => (a: Operand | Scalar, b: Operand | Scalar): Pred => ({ cmp, a: operand(a), b: operand(b) });
export const eq = compare('eq');
export const ne = compare('ne');
export const lt = compare('lt');
export const le = compare('le');
export const gt = compare('gt');
export const ge = compare('ge');
export const truthy = (path: string): Pred => ({ truthy: path });
export const all = (...preds: Pred[]): Pred => ({ all: preds });
export const any = (...preds: Pred[]): Pred => ({ any: preds });
export const not = (pred: Pred): Pred => ({ not: pred });

export function lookup(values: unknown, path: string): unknown {
  let node: any = values;
  for (const key of path.split('.')) {
    if (node === null || typeof node !== 'object') return undefined;
    node = node[key];
  }
  return node;
}

export function evalOperand(x: Operand, values: unknown): unknown {
  if ('path' in x) return lookup(values, x.path);
  if ('literal' in x) return x.literal;
  const a = Number(evalOperand(x.a, values));
  const b = Number(evalOperand(x.b, values));
  switch (x.op) {
    case 'add': return a + b;
    case 'sub': return a - b;
    case 'div': return Math.trunc(a / b);
    case 'mod': return a % b;
  }
}

/** Go template truth: false, 0, "", nil and EMPTY maps and lists are false (JS would call {} and [] true). */
export function goTruthy(value: unknown): boolean {
  if (Array.isArray(value)) return value.length > 0;
  if (typeof value === 'object' && value !== null) return Object.keys(value).length > 0;
  return Boolean(value);
}

export function evaluate(p: Pred, values: unknown): boolean {
  if ('truthy' in p) return goTruthy(lookup(values, p.truthy));
  if ('all' in p) return p.all.every((q) => evaluate(q, values));
  if ('any' in p) return p.any.some((q) => evaluate(q, values));
  if ('not' in p) return !evaluate(p.not, values);
  const a = evalOperand(p.a, values) as any;
  const b = evalOperand(p.b, values) as any;
  switch (p.cmp) {
    case 'eq': return a === b;
    case 'ne': return a !== b;
    case 'lt': return a < b;
    case 'le': return a <= b;
    case 'gt': return a > b;
    case 'ge': return a >= b;
  }
}

/**
 * `.Values.a.b`, wrapped in int64 where the schema says integer: Helm reads every YAML
 * number as float64, which would print 1800000 as 1.8e+06.
 */
export function goPath(path: string): string {
  const ref = `.Values.${path}`;
  return isIntegerPath(path) ? `(int64 ${ref})` : ref;
}

export function goOperand(x: Operand): string {
  if ('path' in x) return goPath(x.path);
  if ('literal' in x) return JSON.stringify(x.literal);
  return `(${x.op} ${goOperand(x.a)} ${goOperand(x.b)})`;
}

/** Go template pipeline that is true exactly when `evaluate` is. */
export function toGo(p: Pred): string {
  if ('truthy' in p) return `.Values.${p.truthy}`;
  if ('all' in p) return p.all.length === 1 ? toGo(p.all[0]) : `and ${p.all.map((q) => `(${toGo(q)})`).join(' ')}`;
  if ('any' in p) return p.any.length === 1 ? toGo(p.any[0]) : `or ${p.any.map((q) => `(${toGo(q)})`).join(' ')}`;
  if ('not' in p) return `not (${toGo(p.not)})`;
  return `${p.cmp} ${goOperand(p.a)} ${goOperand(p.b)}`;
}
