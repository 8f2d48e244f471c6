import { z } from 'zod';
import { labelMap, section } from '../types';
import { annotationMap } from './workload';

/**
 * The settings of a Service clients reach (Redis, Sentinel, Infinispan, the standalone Prometheus,
 * Alertmanager and Grafana); headless Services, which only publish pod addresses, have none. One
 * definition here, one implementation in src/components/shared/service.ts, one set of cross-key
 * rules in src/config/rules.ts (serviceRules).
 */

/** Every section made by serviceSettings, with the names of its ports. */
export const SERVICES = {
  'redis.service': ['redis'],
  'redis.sentinel.service': ['sentinel'],
  'redis.masterEndpoint.service': ['redis'],
  'infinispan.service': ['infinispan'],
  'monitoring.standalone.prometheus.service': ['http'],
  'monitoring.standalone.alertmanager.service': ['http'],
  'monitoring.standalone.grafana.service': ['http'],
} as const;

export type ServicePath = keyof typeof SERVICES;

/** The labels that select the pods of a Service: never set by the values. */
export const SELECTOR_LABEL_KEYS = ['app.kubernetes.io/name', 'app.kubernetes.io/instance', 'app.kubernetes.io/component'] as const;

export const cidr = z.string().regex(/^([0-9]{1,3}\.){3}[0-9]{1,3}\/[0-9]{1,2}$|^[0-9a-fA-F:]*:[0-9a-fA-F:]*\/[0-9]{1,3}$/, 'a CIDR such as 10.0.0.0/8 or 2001:db8::/32');

export function serviceSettings<P extends ServicePath>(what: string, path: P) {
  const ports = SERVICES[path] as readonly string[];
  return section({
    type: z.enum(['ClusterIP', 'NodePort', 'LoadBalancer']).default('ClusterIP').describe(`Type of the ${what} Service (ClusterIP: inside the cluster only; NodePort and LoadBalancer expose it outside, keep networkPolicy in mind)`),
    annotations: annotationMap.default({}).describe(`Annotations of the ${what} Service (e.g. a cloud load balancer's settings such as service.beta.kubernetes.io/aws-load-balancer-internal)`),
    labels: labelMap.default({}).describe(`Extra labels of the ${what} Service (app.kubernetes.io/name, instance and component select the pods and cannot be set)`),
    loadBalancerSourceRanges: z.array(cidr).default([]).describe(`Client CIDRs the ${what} load balancer admits (type LoadBalancer only; [] = any)`),
    externalTrafficPolicy: z.enum(['', 'Cluster', 'Local']).default('').describe(`externalTrafficPolicy of the ${what} Service (NodePort or LoadBalancer only; Local keeps client source addresses; "" = the Kubernetes default, Cluster)`),
    nodePorts: section(Object.fromEntries(ports.map((port) => [
      port,
      z.int().min(0).max(65535).default(0).describe(`Node port of the ${port} port (NodePort or LoadBalancer only; 0 = Kubernetes picks one)`),
    ])) as Record<(typeof SERVICES)[P][number], z.ZodDefault<z.ZodInt>>),
  });
}
