import { z } from 'zod';
import { configSchema } from './schema';

/** The inner schema under defaults/optional/prefault wrappers. */
export function unwrap(schema: z.core.$ZodType): any {
  let node: any = schema;
  while (node?._zod?.def?.innerType) node = node._zod.def.innerType;
  return node;
}

/** The keys of a section (a strict object). A loose object (a Kubernetes object given as values) is a leaf. */
export function objectShape(schema: z.core.$ZodType): Record<string, z.core.$ZodType> | undefined {
  const def = unwrap(schema)?._zod?.def;
  if (def?.type !== 'object') return undefined;
  const catchall = def.catchall?._zod?.def?.type;
  return catchall === undefined || catchall === 'never' ? def.shape : undefined;
}

/** The schema of a config path, or undefined. */
export function schemaAt(path: string): any {
  let node: z.core.$ZodType = configSchema;
  for (const key of path.split('.')) {
    const shape = objectShape(node);
    if (!shape || !(key in shape)) return undefined;
    node = shape[key];
  }
  return unwrap(node);
}

/** Whether a config path holds a whole number (Helm reads every YAML number as float64). */
export function isIntegerPath(path: string): boolean {
  const def = schemaAt(path)?._zod?.def;
  return def?.type === 'number' && ['safeint', 'int32', 'int64', 'uint32', 'uint64'].includes(def.format);
}
