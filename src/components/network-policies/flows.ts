import { ConfigPath, Pred, all, at, eq, truthy } from '../../config/expr';
import { PORTS as INFINISPAN_PORTS } from '../infinispan/contract';
import { ALERTMANAGER_PORT, GRAFANA_PORT, PROMETHEUS_PORT } from '../monitoring/contract';
import { EXPORTER_PORT } from '../monitoring/exporter';
import { REDIS_PORT, SENTINEL_PORT } from '../redis/contract';
import { METRICS_PORT as HAPROXY_METRICS_PORT, masterEndpointOn } from '../master-endpoint/contract';
import { COMPONENT as HEALTH_CHECK, healthCheckEndpoint, healthCheckOn, healthCheckSentinels } from '../health-check/contract';

/**
 * Every network flow the chart's pods take part in, as data. The NetworkPolicies are
 * generated from these tables: adding a workload or a flow is one entry here
 * (e.g. Infinispan: a component `infinispan` and flows for 11222, 7800, 57800).
 */

/** Port of the redis_exporter sidecars (container port name `metrics`). */
export const METRICS_PORT = EXPORTER_PORT;
export const DNS_PORT = 53;

const sentinelMode = eq(at('redis.mode'), 'sentinel');
const standaloneMonitoring = eq(at('monitoring.mode'), 'standalone');
const HTTPS_PORT = 443;
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
  { name: 'haproxy', when: masterEndpointOn },
  { name: 'maintenance' },
  { name: HEALTH_CHECK, when: healthCheckOn },
  { name: 'prometheus', when: standaloneMonitoring },
  { name: 'alertmanager', when: standaloneMonitoring },
  { name: 'grafana', when: standaloneMonitoring },
  { name: 'infinispan', when: infinispanOn },
];

/** Pods outside the release, selected from config (see peers.ts). */
export type ExternalPeer = 'clients' | 'monitoring' | 'dns' | 'ingressController' | 'kubeStateMetrics' | 'https' | 's3';

export type Endpoint = { readonly own: string } | { readonly external: ExternalPeer };

export interface PortSpec {
  /** A fixed port, or the key of the values that holds it. */
  readonly port: number | ConfigPath;
  readonly protocol: 'TCP' | 'UDP';
}

export interface Flow {
  /** What the flow is for (documentation; the tests' flow tables name the same flows). */
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
const s3UploadOn = all(truthy('maintenance.backup.enabled'), truthy('maintenance.backup.s3.enabled'));

export const FLOWS: readonly Flow[] = [
  { purpose: 'applications use Redis', from: external('clients'), to: own('redis'), ports: [tcp(REDIS_PORT)] },
  { purpose: 'applications ask the sentinels for the master', from: external('clients'), to: own('sentinel'), ports: [tcp(SENTINEL_PORT)], when: sentinelMode },
  { purpose: 'replicas replicate from the master', from: own('redis'), to: own('redis'), ports: [tcp(REDIS_PORT)], when: sentinelMode },
  { purpose: 'the start scripts ask the sentinels for the master', from: own('redis'), to: own('sentinel'), ports: [tcp(SENTINEL_PORT)], when: sentinelMode },
  { purpose: 'sentinels watch and reconfigure Redis', from: own('sentinel'), to: own('redis'), ports: [tcp(REDIS_PORT)], when: sentinelMode },
  { purpose: 'sentinels talk to each other', from: own('sentinel'), to: own('sentinel'), ports: [tcp(SENTINEL_PORT)], when: sentinelMode },
  { purpose: 'applications write through the master endpoint', from: external('clients'), to: own('haproxy'), ports: [tcp(REDIS_PORT)], when: masterEndpointOn },
  { purpose: 'the master endpoint checks and forwards to the Redis nodes', from: own('haproxy'), to: own('redis'), ports: [tcp(REDIS_PORT)], when: masterEndpointOn },
  { purpose: 'Prometheus scrapes the master endpoint (HAProxy metrics)', from: external('monitoring'), to: own('haproxy'), ports: [tcp(HAPROXY_METRICS_PORT)], when: masterEndpointOn },
  { purpose: 'Prometheus scrapes the Redis exporters', from: external('monitoring'), to: own('redis'), ports: [tcp(METRICS_PORT)] },
  { purpose: 'Prometheus scrapes the Sentinel exporters', from: external('monitoring'), to: own('sentinel'), ports: [tcp(METRICS_PORT)], when: sentinelMode },
  { purpose: 'cleanup and backup jobs use Redis', from: own('maintenance'), to: own('redis'), ports: [tcp(REDIS_PORT)] },
  { purpose: 'cleanup and backup jobs ask the sentinels for the master and a replica', from: own('maintenance'), to: own('sentinel'), ports: [tcp(SENTINEL_PORT)], when: sentinelMode },
  // The helm test Pod checks what an application uses, on the ports an application uses.
  { purpose: 'the health check (helm test) uses Redis as the app and cache users', from: own(HEALTH_CHECK), to: own('redis'), ports: [tcp(REDIS_PORT)], when: healthCheckOn },
  { purpose: 'the health check asks every sentinel for the master', from: own(HEALTH_CHECK), to: own('sentinel'), ports: [tcp(SENTINEL_PORT)], when: healthCheckSentinels },
  { purpose: 'the health check goes through the master endpoint', from: own(HEALTH_CHECK), to: own('haproxy'), ports: [tcp(REDIS_PORT)], when: healthCheckEndpoint },
  { purpose: 'the backup Job copies backups to the S3 endpoint', from: own('maintenance'), to: external('s3'), ports: [{ port: 'maintenance.backup.s3.egress.port', protocol: 'TCP' }], when: s3UploadOn },
  { purpose: 'applications use the Infinispan session cache (Hot Rod and REST)', from: external('clients'), to: own('infinispan'), ports: [tcp(INFINISPAN_PORTS.client)], when: infinispanOn },
  { purpose: 'Infinispan servers form a cluster (JGroups TCP and FD_SOCK2)', from: own('infinispan'), to: own('infinispan'), ports: [tcp(INFINISPAN_PORTS.jgroups), tcp(INFINISPAN_PORTS.failureDetection)], when: infinispanOn },
  { purpose: 'Prometheus scrapes the Infinispan /metrics endpoint', from: external('monitoring'), to: own('infinispan'), ports: [tcp(INFINISPAN_PORTS.client)], when: all(infinispanOn, truthy('infinispan.metrics.serviceMonitor.enabled')) },
  // monitoring.mode: standalone — the chart's own Prometheus, Alertmanager and Grafana.
  { purpose: 'the own Prometheus scrapes the Redis exporters', from: own('prometheus'), to: own('redis'), ports: [tcp(METRICS_PORT)], when: standaloneMonitoring },
  { purpose: 'the own Prometheus scrapes the Sentinel exporters', from: own('prometheus'), to: own('sentinel'), ports: [tcp(METRICS_PORT)], when: all(standaloneMonitoring, sentinelMode) },
  { purpose: 'the own Prometheus scrapes the master endpoint', from: own('prometheus'), to: own('haproxy'), ports: [tcp(HAPROXY_METRICS_PORT)], when: all(standaloneMonitoring, masterEndpointOn) },
  { purpose: 'the own Prometheus sends alerts to Alertmanager', from: own('prometheus'), to: own('alertmanager'), ports: [tcp(ALERTMANAGER_PORT)], when: standaloneMonitoring },
  { purpose: 'the own Prometheus scrapes kube-state-metrics (CronJob alerts)', from: own('prometheus'), to: external('kubeStateMetrics'), ports: [], when: all(standaloneMonitoring, truthy('monitoring.standalone.prometheus.kubeStateMetricsTarget')) },
  { purpose: 'Grafana queries Prometheus', from: own('grafana'), to: own('prometheus'), ports: [tcp(PROMETHEUS_PORT)], when: standaloneMonitoring },
  { purpose: 'Grafana shows the alerts of Alertmanager', from: own('grafana'), to: own('alertmanager'), ports: [tcp(ALERTMANAGER_PORT)], when: standaloneMonitoring },
  { purpose: 'the ingress controller serves Grafana', from: external('ingressController'), to: own('grafana'), ports: [tcp(GRAFANA_PORT)], when: all(standaloneMonitoring, truthy('monitoring.standalone.ingress.enabled')) },
  { purpose: 'Alertmanager notifies the receivers of a custom config over HTTPS', from: own('alertmanager'), to: external('https'), ports: [tcp(HTTPS_PORT)], when: all(standaloneMonitoring, truthy('monitoring.standalone.alertmanager.configSecret')) },
  { purpose: 'every pod resolves names with the cluster DNS', from: own(ALL_PODS), to: external('dns'), ports: [udp(DNS_PORT), tcp(DNS_PORT)] },
];
