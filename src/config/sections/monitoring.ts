import { z } from 'zod';
import { labelMap } from '../types';
import { kubernetesObject } from './workload';

/**
 * Settings for Prometheus Operator users (kube-prometheus-stack) and for the alert rules. One
 * definition here; the rule file is src/components/monitoring/files/alerts.yaml.
 */

/** Every alert of files/alerts.yaml (the component refuses a file that differs from this list). */
export const ALERT_NAMES = [
  'RedisDown', 'RedisNoMaster', 'RedisMultipleMasters', 'RedisReplicaLinkDown', 'RedisReplicationBroken',
  'RedisDisconnectedReplicas', 'RedisMemoryHigh', 'RedisMemoryCritical', 'RedisSessionEvictions',
  'RedisConnectionsNearLimit', 'RedisRejectedConnections', 'RedisRdbSaveFailing', 'RedisNoRecentRdbSave',
  'RedisSentinelDown', 'RedisSentinelQuorumUnreachable', 'RedisSentinelCountLow', 'RedisSentinelMasterNotOk', 'RedisMasterEndpointDown',
  'RedisCacheHitRateLow', 'RedisCleanupJobFailed', 'RedisMaintenanceJobFailed', 'RedisCleanupNotRun', 'RedisBackupTooOld',
  'RedisBackupUploadFailed', 'RedisContainerCpuThrottled', 'RedisContainerMemoryNearLimit', 'RedisExporterScrapeFailing',
  'RedisExporterTargetsMissing', 'RedisSessionKeysWithoutTtl', 'RedisSessionCountDropped',
] as const;

export const disabledAlerts = z.array(z.enum(ALERT_NAMES)).default([]).describe(`Alerts of the chart left out of the rules (e.g. [RedisMemoryHigh]); names: ${ALERT_NAMES.join(', ')}`);

const relabelings = (what: string) =>
  z.array(kubernetesObject('A Prometheus Operator RelabelConfig')).default([]).describe(what);

/** Keys of the monitoring section for the Prometheus Operator. */
export const operatorSettings = {
  labels: labelMap.default({}).describe('Labels of the PodMonitors/ServiceMonitors and the PrometheusRule only (not the pods): what the Prometheus selects them by; kube-prometheus-stack\'s default selectors need release: <its release name>'),
  monitor: z.enum(['PodMonitor', 'ServiceMonitor']).default('PodMonitor').describe('How the Prometheus Operator finds the exporters (operator mode): PodMonitor, or ServiceMonitor on headless <fullname>-redis-metrics and <fullname>-sentinel-metrics Services (for a Prometheus that selects ServiceMonitors only)'),
  relabelings: relabelings('relabelings of the scrape endpoints (Prometheus Operator RelabelConfig objects), after the chart\'s own job relabeling'),
  metricRelabelings: relabelings('metricRelabelings of the scrape endpoints (e.g. drop a metric you do not keep)'),
  rules: z.array(kubernetesObject('A Prometheus rule (alert or record, expr, for, labels, annotations)', { expr: z.string().min(1) })).default([]).describe('Extra alert and recording rules (Prometheus rule objects), appended as the group session-database.extra to the PrometheusRule (operator) or the rule file (standalone)'),
};
