import { Pred, all, at, eq, truthy } from '../../config/expr';
import { PORTS as INFINISPAN_PORTS } from '../infinispan/contract';
import { REDIS_PORT, SENTINEL_PORT } from '../redis/contract';

/**
 * Every network flow the chart's pods take part in, as data. The NetworkPolicies are
 * generated from these tables: adding a workload or a flow is one entry here
 * (e.g. Infinispan: a component `infinispan` and flows for 11222, 7800, 57800).
 */

/** Port of the redis_exporter sidecars (container port name `metrics`). */
export const METRICS_PORT = 9121;
export const DNS_PORT = 53;

const sentinelMode = eq(at('redis.mode'), 'sentinel');
const infinispanOn = truthy('infinispan.enabled');

/** A group of the chart's own pods, selected by `app.kubernetes.io/component`. */
export interface OwnComponent {
  /** Value of app.kubernetes.io/component; `all-pods` stands for every pod of the release. */
  readonly name: string;
  /** The component exists only when this holds. */
  readonly when?: Pred;
}

export const ALL_PODS = 'all-pods';

export const OWN_COMPONENTS: readonly OwnComponent[] = [
  { name: ALL_PODS },
  { name: 'redis' },
  { name: 'sentinel', when: sentinelMode },
  { name: 'maintenance' },
  { name: 'infinispan', when: infinispanOn },
];

/** Pods outside the release, selected from config (see peers.ts). */
export type ExternalPeer = 'clients' | 'monitoring' | 'dns';

export type Endpoint = { readonly own: string } | { readonly external: ExternalPeer };

export interface PortSpec {
  readonly port: number;
  readonly protocol: 'TCP' | 'UDP';
}

export interface Flow {
  /** What the flow is for (shown in the policy annotations). */
  readonly purpose: string;
  readonly from: Endpoint;
  readonly to: Endpoint;
  readonly ports: readonly PortSpec[];
  /** The flow exists only when this holds. */
  readonly when?: Pred;
}

const own = (name: string): Endpoint => ({ own: name });
const external = (peer: ExternalPeer): Endpoint => ({ external: peer });
const tcp = (port: number): PortSpec => ({ port, protocol: 'TCP' });
const udp = (port: number): PortSpec => ({ port, protocol: 'UDP' });

export const FLOWS: readonly Flow[] = [
  { purpose: 'applications use Redis', from: external('clients'), to: own('redis'), ports: [tcp(REDIS_PORT)] },
  { purpose: 'applications ask the sentinels for the master', from: external('clients'), to: own('sentinel'), ports: [tcp(SENTINEL_PORT)], when: sentinelMode },
  { purpose: 'replicas replicate from the master', from: own('redis'), to: own('redis'), ports: [tcp(REDIS_PORT)], when: sentinelMode },
  { purpose: 'the start scripts ask the sentinels for the master', from: own('redis'), to: own('sentinel'), ports: [tcp(SENTINEL_PORT)], when: sentinelMode },
  { purpose: 'sentinels watch and reconfigure Redis', from: own('sentinel'), to: own('redis'), ports: [tcp(REDIS_PORT)], when: sentinelMode },
  { purpose: 'sentinels talk to each other', from: own('sentinel'), to: own('sentinel'), ports: [tcp(SENTINEL_PORT)], when: sentinelMode },
  { purpose: 'Prometheus scrapes the Redis exporters', from: external('monitoring'), to: own('redis'), ports: [tcp(METRICS_PORT)] },
  { purpose: 'Prometheus scrapes the Sentinel exporters', from: external('monitoring'), to: own('sentinel'), ports: [tcp(METRICS_PORT)], when: sentinelMode },
  { purpose: 'cleanup and backup jobs use Redis', from: own('maintenance'), to: own('redis'), ports: [tcp(REDIS_PORT)] },
  { purpose: 'cleanup and backup jobs ask the sentinels for the master and a replica', from: own('maintenance'), to: own('sentinel'), ports: [tcp(SENTINEL_PORT)], when: sentinelMode },
  { purpose: 'applications use the Infinispan session cache (Hot Rod and REST)', from: external('clients'), to: own('infinispan'), ports: [tcp(INFINISPAN_PORTS.client)], when: infinispanOn },
  { purpose: 'Infinispan servers form a cluster (JGroups TCP and FD_SOCK2)', from: own('infinispan'), to: own('infinispan'), ports: [tcp(INFINISPAN_PORTS.jgroups), tcp(INFINISPAN_PORTS.failureDetection)], when: infinispanOn },
  { purpose: 'Prometheus scrapes the Infinispan /metrics endpoint', from: external('monitoring'), to: own('infinispan'), ports: [tcp(INFINISPAN_PORTS.client)], when: all(infinispanOn, truthy('infinispan.metrics.serviceMonitor.enabled')) },
  { purpose: 'every pod resolves names with the cluster DNS', from: own(ALL_PODS), to: external('dns'), ports: [udp(DNS_PORT), tcp(DNS_PORT)] },
];
