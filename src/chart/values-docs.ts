import { z } from 'zod';
import { lookup } from '../config/expr';
import { configSchema, defaultConfig } from '../config/schema';
import { FREE_TEXT_PATTERN, isFreeText, isSharedSection } from '../config/types';

/** The chart's values.schema.json: the config schema as JSON Schema (draft-07, which Helm 3 and 4 both read). */
export function valuesJsonSchema(): Record<string, unknown> {
  cachedSchema ??= {
    ...(z.toJSONSchema(configSchema, {
      target: 'draft-7',
      io: 'input',
      unrepresentable: 'throw',
      override: ({ zodSchema, jsonSchema }) => {
        if (isFreeText(zodSchema)) jsonSchema.pattern = FREE_TEXT_PATTERN;
        if (isSharedSection(zodSchema)) jsonSchema.additionalProperties = {};
      },
    }) as Record<string, unknown>),
    title: 'session-database values',
  };
  return structuredClone(cachedSchema);
}
let cachedSchema: Record<string, unknown> | undefined;

export interface ValueDoc {
  readonly path: string;
  readonly description: string;
  readonly type: string;
  readonly default: unknown;
  /** A block of keys rather than a value. */
  readonly isSection: boolean;
  readonly depth: number;
}

/** Every key of the config, in schema order, with its description, type and default. */
export function valueDocs(): ValueDoc[] {
  cachedDocs ??= collectValueDocs();
  return cachedDocs;
}
let cachedDocs: ValueDoc[] | undefined;

function collectValueDocs(): ValueDoc[] {
  const defaults = defaultConfig();
  const docs: ValueDoc[] = [];
  const walk = (node: any, prefix: string, depth: number) => {
    for (const [key, child] of Object.entries<any>(node.properties ?? {})) {
      const path = prefix ? `${prefix}.${key}` : key;
      // An open Kubernetes object (affinity, securityContext) has no declared keys: it is one value, not a block.
      const isSection = child.type === 'object' && Object.keys(child.properties ?? {}).length > 0;
      const description = child.description ?? (isSection ? '' : undefined);
      if (description === undefined) throw new Error(`values key ${path} has no description in the schema`);
      docs.push({ path, description, type: typeOf(child), default: lookup(defaults, path), isSection, depth });
      if (isSection) walk(child, path, depth + 1);
    }
  };
  walk(valuesJsonSchema(), '', 0);
  return docs;
}

function typeOf(node: any): string {
  if (node.enum) return node.enum.map((e: unknown) => JSON.stringify(e)).join(' \\| ');
  if (node.anyOf) return [...new Set(node.anyOf.map(typeOf))].join(' \\| ');
  if (node.type === 'integer') {
    const min = node.minimum ?? (node.exclusiveMinimum !== undefined ? node.exclusiveMinimum + 1 : undefined);
    return min !== undefined ? `integer ≥ ${min}` : 'integer';
  }
  if (node.type === 'object') return node.properties ? 'object' : 'map';
  return String(node.type ?? 'any');
}

/** A default as one line of YAML flow style, spaced as yamllint's default rules (commas, braces) expect. */
function flowValue(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(flowValue).join(', ')}]`;
  if (value !== null && typeof value === 'object') {
    return `{${Object.entries(value).map(([k, v]) => `${JSON.stringify(k)}: ${flowValue(v)}`).join(', ')}}`;
  }
  return JSON.stringify(value);
}

/** values.yaml: every default, each key preceded by its description. */
export function valuesYaml(): string {
  const lines = [
    '# Default values of session-database. Generated from src/config/schema.ts by `npm run synth`;',
    '# edit the schema, not this file. values/<env>.yaml hold what each environment changes.',
  ];
  for (const doc of valueDocs()) {
    const pad = '  '.repeat(doc.depth);
    const key = doc.path.split('.').pop()!;
    if (doc.isSection) {
      lines.push('', ...(doc.description ? [`${pad}# -- ${doc.description}`] : []), `${pad}${key}:`);
    } else {
      lines.push(`${pad}# -- ${doc.description}`, `${pad}${key}: ${flowValue(doc.default)}`);
    }
  }
  return lines.join('\n') + '\n';
}

/** The parameters table of the chart README and the project README. */
export function parametersTable(): string {
  const rows = valueDocs()
    .filter((d) => !d.isSection)
    .map((d) => `| \`${d.path}\` | ${d.description.replace(/\|/g, '\\|')} | ${d.type} | \`${JSON.stringify(d.default)}\` |`);
  return ['| Key | Description | Type | Default |', '| --- | --- | --- | --- |', ...rows].join('\n') + '\n';
}
