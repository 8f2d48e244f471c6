import { z } from 'zod';

/** A nested block of the config: strict (typos are errors) and filled with its defaults when absent. */
export function section<T extends z.core.$ZodLooseShape>(shape: T) {
  return z.strictObject(shape).prefault({} as any);
}

const FREE_TEXT = new WeakSet<object>();
const SHARED = new WeakSet<object>();

/**
 * A section an umbrella chart shares with its other subcharts (Helm's `global`): the chart's schema lets
 * their keys through and the loader drops them (coalesce.ts), while our own keys are typed and checked.
 */
export function sharedSection<T extends z.core.$ZodLooseShape>(shape: T) {
  const object = z.strictObject(shape);
  SHARED.add(object);
  return object.prefault({} as any);
}

export function isSharedSection(schema: unknown): boolean {
  return typeof schema === 'object' && schema !== null && SHARED.has(schema);
}

/**
 * Characters no free text may hold: control characters other than line break and tab, the Unicode
 * line and paragraph separators and noncharacters. YAML reads some of them as line breaks (NEL) and
 * refuses others, so neither a values file nor a block of the chart could carry them.
 */
const NOT_TEXT_CLASS = '\x00-\x08\x0b-\x1f\x7f-\x9f\u2028\u2029\ufffe\uffff';
export const NOT_TEXT = new RegExp(`[${NOT_TEXT_CLASS}]`);
/**
 * The free-text pattern as text with the characters themselves: RegExp.source would write U+2028
 * and U+2029 as \u escapes, which Helm's schema check (Go's RE2) cannot read.
 */
export const FREE_TEXT_PATTERN = `^[^${NOT_TEXT_CLASS}]*$`;

/** Free text (config snippets, multi-line values); the chart indents its lines when it embeds it in a file. */
export function freeText() {
  const schema = z.string().regex(new RegExp(FREE_TEXT_PATTERN), 'text without control characters (line breaks and tabs are fine)');
  FREE_TEXT.add(schema);
  return schema;
}

/** Whether a (unwrapped) schema is free text, which may span lines. */
export function isFreeText(schema: unknown): boolean {
  return typeof schema === 'object' && schema !== null && FREE_TEXT.has(schema);
}

/** Kubernetes resource quantity, e.g. 500m, 1, 256Mi, 8Gi (not "4gb"). */
export const quantity = z
  .string()
  .regex(/^[0-9]+(\.[0-9]+)?(m|k|M|G|T|P|E|Ki|Mi|Gi|Ti|Pi|Ei)?$/, 'a Kubernetes quantity such as 500m, 2, 256Mi or 8Gi');

/** Memory size in Redis units, e.g. 200mb, 1gb, 1073741824. */
export const redisMemory = z
  .string()
  .regex(/^[0-9]+(b|k|kb|m|mb|g|gb)?$/i, 'a Redis memory size such as 200mb or 1gb');

/** DNS-1123 label (names of Secrets, namespaces, overrides). */
export const kubernetesName = z
  .string()
  .max(63)
  .regex(/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/, 'a DNS-1123 name: lower-case letters, digits and "-"');

const cronField = String.raw`(\*|[0-9]+(-[0-9]+)?|[A-Za-z]{3})(/[0-9]+)?(,([0-9]+(-[0-9]+)?|[A-Za-z]{3})(/[0-9]+)?)*`;

/** Five-field cron expression or a macro such as @hourly. */
export const cronSchedule = z
  .string()
  .regex(
    new RegExp(`^(@(yearly|annually|monthly|weekly|daily|hourly)|${cronField}( ${cronField}){4})$`),
    'a five-field cron expression such as "*/5 * * * *" or a macro such as @hourly',
  );

export const labelMap = z.record(
  z.string().regex(/^([a-z0-9.-]+\/)?[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$/, 'a Kubernetes label key'),
  z.string().max(63).regex(/^([A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?)?$/, 'a Kubernetes label value'),
);

/** A resource amount: a Kubernetes quantity, or a number as Kubernetes also accepts it (cpu: 2, cpu: 0.5). */
export const resourceAmount = z.union([quantity, z.number().nonnegative()]);

/** Resource names: cpu, memory, ephemeral-storage, hugepages-2Mi, extended resources such as nvidia.com/gpu. */
const resourceName = z.string().regex(/^([a-z0-9.-]+\/)?[a-z0-9]([-a-z0-9A-Z]*[a-zA-Z0-9])?$/, 'a resource name such as cpu, memory, ephemeral-storage or nvidia.com/gpu');

/**
 * Container resources. requests and limits are maps, so extended resources fit; like every Helm map
 * they merge with the defaults, and a resource set to null is removed (e.g. limits.cpu: null).
 */
export function resources(requests: { cpu: string; memory: string }, limits: { cpu: string; memory: string }) {
  return section({
    requests: z.record(resourceName, resourceAmount).default(requests).describe(`Resource requests (default cpu ${requests.cpu}, memory ${requests.memory})`),
    limits: z.record(resourceName, resourceAmount).default(limits).describe(`Resource limits (default cpu ${limits.cpu}, memory ${limits.memory}); keep memory above maxmemory`),
  });
}
