import { z } from 'zod';
import { section } from '../types';
import { kubernetesObject } from './workload';

/**
 * Extra NetworkPolicy rules per workload (networkPolicy.<workload>.extraIngress / extraEgress),
 * appended to the generated policies of src/components/network-policies. One definition here.
 */

/** The workloads with their own policies (app.kubernetes.io/component of their pods). */
export const POLICY_WORKLOADS = {
  redis: 'Redis',
  sentinel: 'Sentinel',
  haproxy: 'master endpoint (HAProxy)',
  maintenance: 'maintenance Job',
  infinispan: 'Infinispan',
  prometheus: 'standalone Prometheus',
  alertmanager: 'standalone Alertmanager',
  grafana: 'standalone Grafana',
} as const;

export type PolicyWorkload = keyof typeof POLICY_WORKLOADS;

export function extraRules(what: string) {
  return section({
    extraIngress: z.array(kubernetesObject('A NetworkPolicyIngressRule (from, ports)')).default([]).describe(`NetworkPolicy ingress rules (from, ports) appended to the ${what} pods' policy, e.g. a KEDA scaler or an ingress controller (docs/network-policy.md)`),
    extraEgress: z.array(kubernetesObject('A NetworkPolicyEgressRule (to, ports)')).default([]).describe(`NetworkPolicy egress rules (to, ports) appended to the ${what} pods' policy`),
  });
}

export const workloadPolicies = Object.fromEntries(
  Object.entries(POLICY_WORKLOADS).map(([name, what]) => [name, extraRules(what)]),
) as { [K in PolicyWorkload]: ReturnType<typeof extraRules> };
