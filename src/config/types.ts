import { z } from 'zod';

/** A nested block of the config: strict (typos are errors) and filled with its defaults when absent. */
export function section<T extends z.core.$ZodLooseShape>(shape: T) {
  return z.strictObject(shape).prefault({} as any);
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

export function resources(
  requests: { cpu: string; memory: string },
  limits: { cpu: string; memory: string },
) {
  const amounts = (d: { cpu: string; memory: string }, what: string) =>
    section({
      cpu: quantity.default(d.cpu).describe(`CPU ${what}`),
      memory: quantity.default(d.memory).describe(`Memory ${what}`),
    });
  return section({
    requests: amounts(requests, 'request'),
    limits: amounts(limits, 'limit'),
  });
}
