import { z } from 'zod';
import { objectShape } from './introspect';
import { configSchema, defaultConfig } from './schema';

/**
 * Values as the chart's templates see them, so that dist/ and the chart read the same input:
 *
 * 1. Helm's coalescing: the values file over the defaults (values.yaml). Maps merge key by key;
 *    a key set to null is removed (chartutil.CoalesceValues).
 * 2. The chart's own fill (the `fill` template in _helpers.tpl, see src/render/helm-only.ts): a
 *    named key that is missing gets its default again. That covers a section or setting set to null
 *    and `helm upgrade --reuse-values` from an older chart, whose values lack the newer keys; maps of
 *    free keys (labels, resources.limits) are not filled inside, so `limits.cpu: null` still removes
 *    the CPU limit.
 */
export function chartValues(input: unknown): unknown {
  if (!isMap(input)) return input;
  const values = structuredClone(input);
  dropForeignGlobals(values);
  coalesce(values, defaultConfig() as unknown as Record<string, unknown>);
  fill(values, configSchema);
  return values;
}

/** Keys an umbrella chart keeps in global for its other subcharts are not ours (see sharedSection). */
function dropForeignGlobals(values: Record<string, unknown>): void {
  const global = values.global;
  const ours = objectShape(configSchema.shape.global as unknown as z.core.$ZodType);
  if (!isMap(global) || !ours) return;
  for (const key of Object.keys(global)) if (!(key in ours)) delete global[key];
}

function isMap(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function coalesce(values: Record<string, unknown>, defaults: Record<string, unknown>): void {
  for (const [key, fallback] of Object.entries(defaults)) {
    if (!(key in values)) values[key] = structuredClone(fallback);
    else if (values[key] === null) delete values[key];
    else if (isMap(values[key]) && isMap(fallback)) coalesce(values[key] as Record<string, unknown>, fallback);
  }
}

function fill(values: Record<string, unknown>, schema: z.core.$ZodType): void {
  const shape = objectShape(schema);
  if (!shape) return;
  for (const [key, child] of Object.entries(shape)) {
    if (!(key in values)) values[key] = defaultOf(child);
    else if (objectShape(child) && isMap(values[key])) fill(values[key] as Record<string, unknown>, child);
  }
}

/** The default of a key: what the schema gives for an absent value. */
function defaultOf(schema: z.core.$ZodType): unknown {
  return (schema as z.ZodType).parse(undefined);
}

/** The fill's map for the chart: per section, the default of every key and the sections inside. */
export interface ValuesShape {
  readonly defaults: Record<string, unknown>;
  readonly sections: Record<string, ValuesShape>;
}

export function valuesShape(schema: z.core.$ZodType = configSchema): ValuesShape {
  const shape = objectShape(schema)!;
  const defaults: Record<string, unknown> = {};
  const sections: Record<string, ValuesShape> = {};
  for (const [key, child] of Object.entries(shape)) {
    defaults[key] = defaultOf(child);
    if (objectShape(child)) sections[key] = valuesShape(child);
  }
  return { defaults, sections };
}
