/**
 * promtool unit tests for every alert: series that must fire it (with the exact
 * labels of the firing alert) and series that must not. Values are derived from the
 * rendered config (thresholds, job names, namespace, replica counts), so the same
 * cases prove that a changed threshold moves the alert.
 */
export interface CaseConfig {
  readonly namespace: string;
  readonly fullname: string;
  readonly replicas: number;
  readonly sentinels: number;
  readonly sessionsDb: number;
  readonly cacheDb: number;
  readonly maxclients: number;
  readonly alerts: {
    readonly memoryWarningRatio: number;
    readonly memoryCriticalRatio: number;
    readonly connectionsWarningRatio: number;
    readonly replicationLagSeconds: number;
    readonly backupMaxAgeHours: number;
    readonly cleanupMaxAgeMinutes: number;
    readonly cacheHitRateWarningRatio: number;
    readonly cacheMinLookupsPerSecond: number;
    readonly cpuThrottlingRatio: number;
    readonly containerMemoryWarningRatio: number;
  };
}

export interface Series {
  readonly series: string;
  readonly values: string;
}

export interface AlertCase {
  readonly alert: string;
  readonly severity: 'critical' | 'warning' | 'info';
  /** Series that make the alert fire, and the labels the firing alert carries (besides alertname, alertstate, severity, namespace). */
  readonly fire: { readonly series: Series[]; readonly labels: Record<string, string> };
  /** Series (near the threshold, or of another release) that must leave it silent. */
  readonly quiet: { readonly series: Series[] };
}

/** Number of one-minute samples per series: enough for every `for` plus the 10m offsets. */
export const STEPS = 90;
const constant = (v: number | string) => `${v}x${STEPS}`;
const sel = (labels: Record<string, string>) =>
  Object.entries(labels).map(([k, v]) => `${k}="${v}"`).join(', ');

export function alertCases(c: CaseConfig): AlertCase[] {
  const ns = c.namespace;
  const redisJob = `${c.fullname}-redis`;
  const sentinelJob = `${c.fullname}-sentinel`;
  const pod = (i: number) => ({ namespace: ns, job: redisJob, pod: `${c.fullname}-redis-${i}`, instance: `${c.fullname}-redis-${i}` });
  const sentinelPod = (i: number) => ({ namespace: ns, job: sentinelJob, pod: `${c.fullname}-sentinel-${i}`, instance: `${c.fullname}-sentinel-${i}` });
  const other = { namespace: 'another-namespace', job: redisJob, pod: 'x-0', instance: 'x-0' };
  const haproxyPod = (i: number) => ({ namespace: ns, job: `${c.fullname}-haproxy`, pod: `${c.fullname}-haproxy-${i}`, instance: `10.0.0.${i + 1}:8404` });
  const s = (metric: string, labels: Record<string, string>, values: string): Series => ({ series: `${metric}{${sel(labels)}}`, values });
  const role = (i: number, r: 'master' | 'slave') => s('redis_instance_info', { ...pod(i), role: r }, constant(1));
  const a = c.alerts;
  const maxBytes = 1_000_000;
  const db = `db${c.sessionsDb}`;
  const master = { master_name: 'mymaster', master_address: '10.0.0.1:6379' };
  const job = (cron: string) => `${c.fullname}-${cron}-29000000`;
  // kube-state-metrics' series of the upload container of a backup Job's pod.
  const upload = (reason: string) => ({ namespace: ns, pod: `${job('backup')}-x7k2p`, uid: '5f0c2d1e-0000-4000-8000-000000000001', container: 'backup-upload', reason });
  // redis_exporter labels a replica's link metrics with its master (seen in test/monitoring/live).
  // Counters rising by perMinute each one-minute step: rate() = perMinute / 60.
  const rising = (perMinute: number) => `0+${perMinute}x${STEPS}`;
  const lookups = Math.ceil(Math.max(c.alerts.cacheMinLookupsPerSecond, 1) * 60 * 4);
  const hitsAt = (ratio: number) => [Math.round(lookups * ratio), lookups - Math.round(lookups * ratio)];
  const cacheDb = `db${c.cacheDb}`;
  // cAdvisor and kube-state-metrics label containers by namespace, pod and container (plus their own extras).
  const container = (p: string, name: string) => ({ namespace: ns, pod: p, container: name });
  const cadvisor = (p: string, name: string) => ({ ...container(p, name), id: `/kubepods/${p}/${name}`, image: 'redis', name: `k8s_${name}` });
  const limit = (p: string, name: string, bytes: number) =>
    s('kube_pod_container_resource_limits', { ...container(p, name), node: 'node-1', resource: 'memory', unit: 'byte' }, constant(bytes));
  const link = { ...pod(1), master_host: `${c.fullname}-redis-0.${c.fullname}-redis-headless`, master_port: '6379' };

  return [
    {
      alert: 'RedisDown',
      severity: 'critical',
      fire: { series: [s('redis_up', pod(0), constant(0))], labels: pod(0) },
      quiet: { series: [s('redis_up', pod(0), constant(1)), s('redis_up', other, constant(0))] },
    },
    {
      alert: 'RedisNoMaster',
      severity: 'critical',
      fire: { series: [role(0, 'slave'), role(1, 'slave')], labels: {} },
      quiet: { series: [role(0, 'master'), role(1, 'slave'), s('redis_instance_info', { ...other, role: 'slave' }, constant(1))] },
    },
    {
      alert: 'RedisMultipleMasters',
      severity: 'critical',
      fire: { series: [role(0, 'master'), role(1, 'master'), role(2, 'slave')], labels: {} },
      quiet: { series: [role(0, 'master'), role(1, 'slave'), s('redis_instance_info', { ...other, role: 'master' }, constant(1))] },
    },
    {
      alert: 'RedisReplicaLinkDown',
      severity: 'critical',
      fire: { series: [s('redis_master_link_up', link, constant(0))], labels: link },
      quiet: { series: [s('redis_master_link_up', link, constant(1))] },
    },
    {
      alert: 'RedisReplicationBroken',
      severity: 'warning',
      fire: { series: [s('redis_master_last_io_seconds_ago', link, constant(a.replicationLagSeconds + 5))], labels: link },
      quiet: { series: [s('redis_master_last_io_seconds_ago', link, constant(a.replicationLagSeconds))] },
    },
    {
      alert: 'RedisDisconnectedReplicas',
      severity: 'warning',
      fire: { series: [role(0, 'master'), s('redis_connected_slaves', pod(0), constant(c.replicas - 2))], labels: {} },
      quiet: {
        series: [
          role(0, 'master'), role(1, 'slave'),
          s('redis_connected_slaves', pod(0), constant(c.replicas - 1)),
          // A replica has no replicas of its own; only the master's count matters.
          s('redis_connected_slaves', pod(1), constant(0)),
        ],
      },
    },
    {
      alert: 'RedisMemoryHigh',
      severity: 'warning',
      fire: {
        series: [
          s('redis_memory_used_bytes', pod(0), constant(Math.round(maxBytes * (a.memoryWarningRatio + a.memoryCriticalRatio) / 2))),
          s('redis_memory_max_bytes', pod(0), constant(maxBytes)),
        ],
        labels: pod(0),
      },
      quiet: {
        series: [
          s('redis_memory_used_bytes', pod(0), constant(Math.round(maxBytes * (a.memoryWarningRatio - 0.02)))),
          s('redis_memory_max_bytes', pod(0), constant(maxBytes)),
          // maxmemory 0 (unlimited) must not divide into an alert.
          s('redis_memory_used_bytes', pod(1), constant(maxBytes)),
          s('redis_memory_max_bytes', pod(1), constant(0)),
        ],
      },
    },
    {
      alert: 'RedisMemoryCritical',
      severity: 'critical',
      fire: {
        series: [
          s('redis_memory_used_bytes', pod(0), constant(Math.round(maxBytes * (a.memoryCriticalRatio + 1) / 2))),
          s('redis_memory_max_bytes', pod(0), constant(maxBytes)),
        ],
        labels: pod(0),
      },
      quiet: {
        series: [
          s('redis_memory_used_bytes', pod(0), constant(Math.round(maxBytes * (a.memoryCriticalRatio - 0.02)))),
          s('redis_memory_max_bytes', pod(0), constant(maxBytes)),
        ],
      },
    },
    {
      alert: 'RedisSessionEvictions',
      severity: 'critical',
      fire: { series: [s('redis_evicted_keys_total', pod(0), `0x40 3x${STEPS - 40}`)], labels: pod(0) },
      quiet: { series: [s('redis_evicted_keys_total', pod(0), constant(7)), s('redis_evicted_keys_total', other, `0x40 3x${STEPS - 40}`)] },
    },
    {
      alert: 'RedisConnectionsNearLimit',
      severity: 'warning',
      fire: {
        series: [
          s('redis_connected_clients', pod(0), constant(Math.ceil(c.maxclients * (a.connectionsWarningRatio + 0.05)))),
          s('redis_config_maxclients', pod(0), constant(c.maxclients)),
        ],
        labels: pod(0),
      },
      quiet: {
        series: [
          s('redis_connected_clients', pod(0), constant(Math.floor(c.maxclients * (a.connectionsWarningRatio - 0.05)))),
          s('redis_config_maxclients', pod(0), constant(c.maxclients)),
        ],
      },
    },
    {
      alert: 'RedisRejectedConnections',
      severity: 'warning',
      fire: { series: [s('redis_rejected_connections_total', pod(0), `0x40 2x${STEPS - 40}`)], labels: pod(0) },
      quiet: { series: [s('redis_rejected_connections_total', pod(0), constant(2))] },
    },
    {
      alert: 'RedisRdbSaveFailing',
      severity: 'warning',
      fire: { series: [s('redis_rdb_last_bgsave_status', pod(0), constant(0))], labels: pod(0) },
      quiet: { series: [s('redis_rdb_last_bgsave_status', pod(0), constant(1))] },
    },
    {
      alert: 'RedisNoRecentRdbSave',
      severity: 'warning',
      // The test clock starts at 0: a save "before" it is a negative timestamp.
      fire: {
        series: [
          s('redis_rdb_last_save_timestamp_seconds', pod(0), constant(-(a.backupMaxAgeHours * 3600 + 60))),
          s('redis_rdb_changes_since_last_save', pod(0), constant(10)),
        ],
        labels: pod(0),
      },
      quiet: {
        series: [
          // Old snapshot but nothing changed since: nothing to lose.
          s('redis_rdb_last_save_timestamp_seconds', pod(0), constant(-(a.backupMaxAgeHours * 3600 + 60))),
          s('redis_rdb_changes_since_last_save', pod(0), constant(0)),
          s('redis_rdb_last_save_timestamp_seconds', pod(1), constant(0)),
          s('redis_rdb_changes_since_last_save', pod(1), constant(10)),
        ],
      },
    },
    {
      alert: 'RedisSentinelDown',
      severity: 'warning',
      fire: { series: [s('redis_up', sentinelPod(0), constant(0))], labels: sentinelPod(0) },
      quiet: { series: [s('redis_up', sentinelPod(0), constant(1))] },
    },
    {
      alert: 'RedisSentinelQuorumUnreachable',
      severity: 'critical',
      fire: { series: [s('redis_sentinel_master_ckquorum_status', { ...sentinelPod(0), ...master }, constant(0))], labels: { ...sentinelPod(0), ...master } },
      quiet: { series: [s('redis_sentinel_master_ckquorum_status', { ...sentinelPod(0), ...master }, constant(1))] },
    },
    {
      alert: 'RedisSentinelCountLow',
      severity: 'warning',
      fire: { series: [s('redis_sentinel_master_ok_sentinels', { ...sentinelPod(0), ...master }, constant(c.sentinels - 1))], labels: { ...sentinelPod(0), ...master } },
      quiet: { series: [s('redis_sentinel_master_ok_sentinels', { ...sentinelPod(0), ...master }, constant(c.sentinels))] },
    },
    {
      alert: 'RedisMasterEndpointDown',
      severity: 'critical',
      fire: { series: [s('haproxy_backend_active_servers', { ...haproxyPod(0), proxy: 'redis_master' }, constant(0)), s('haproxy_backend_active_servers', { ...haproxyPod(1), proxy: 'redis_master' }, constant(0))], labels: {} },
      quiet: {
        series: [
          // One HAProxy pod that still sees the master is enough.
          s('haproxy_backend_active_servers', { ...haproxyPod(0), proxy: 'redis_master' }, constant(0)),
          s('haproxy_backend_active_servers', { ...haproxyPod(1), proxy: 'redis_master' }, constant(1)),
          s('haproxy_backend_active_servers', { ...haproxyPod(0), proxy: 'stats' }, constant(0)),
        ],
      },
    },
    {
      alert: 'RedisSentinelMasterNotOk',
      severity: 'critical',
      fire: {
        series: [s('redis_sentinel_master_status', { ...sentinelPod(0), ...master, master_status: 'odown' }, constant(1))],
        labels: { ...sentinelPod(0), ...master, master_status: 'odown' },
      },
      quiet: { series: [s('redis_sentinel_master_status', { ...sentinelPod(0), ...master, master_status: 'ok' }, constant(1))] },
    },
    {
      alert: 'RedisCacheHitRateLow',
      severity: 'warning',
      fire: {
        series: [
          s('redis_keyspace_hits_total', pod(0), rising(hitsAt(a.cacheHitRateWarningRatio - 0.1)[0])),
          s('redis_keyspace_misses_total', pod(0), rising(hitsAt(a.cacheHitRateWarningRatio - 0.1)[1])),
          s('redis_db_keys', { ...pod(0), db: cacheDb }, constant(500)),
        ],
        labels: { pod: pod(0).pod },
      },
      quiet: {
        series: [
          // Hit rate above the threshold.
          s('redis_keyspace_hits_total', pod(0), rising(hitsAt(Math.min(a.cacheHitRateWarningRatio + 0.1, 1))[0])),
          s('redis_keyspace_misses_total', pod(0), rising(hitsAt(Math.min(a.cacheHitRateWarningRatio + 0.1, 1))[1])),
          s('redis_db_keys', { ...pod(0), db: cacheDb }, constant(500)),
          // All misses, but too few lookups to judge.
          s('redis_keyspace_hits_total', pod(1), constant(0)),
          s('redis_keyspace_misses_total', pod(1), rising(Math.floor(c.alerts.cacheMinLookupsPerSecond * 60 * 0.5))),
          s('redis_db_keys', { ...pod(1), db: cacheDb }, constant(500)),
          // All misses on a node whose cache database is unused (only sessions).
          s('redis_keyspace_hits_total', pod(2), constant(0)),
          s('redis_keyspace_misses_total', pod(2), rising(lookups)),
          s('redis_db_keys', { ...pod(2), db }, constant(500)),
        ],
      },
    },
    {
      alert: 'RedisCleanupJobFailed',
      severity: 'critical',
      fire: {
        series: [s('kube_job_status_failed', { namespace: ns, job_name: job('cache-cleanup'), reason: 'DeadlineExceeded' }, constant(1))],
        labels: { job_name: job('cache-cleanup'), reason: 'DeadlineExceeded' },
      },
      quiet: {
        series: [
          s('kube_job_status_failed', { namespace: ns, job_name: job('session-cleanup') }, constant(0)),
          s('kube_job_status_failed', { namespace: ns, job_name: job('backup') }, constant(1)),
          s('kube_job_status_failed', { namespace: 'another-namespace', job_name: job('session-cleanup') }, constant(1)),
        ],
      },
    },
    {
      alert: 'RedisMaintenanceJobFailed',
      severity: 'warning',
      fire: { series: [s('kube_job_status_failed', { namespace: ns, job_name: job('backup'), reason: 'BackoffLimitExceeded' }, constant(1))], labels: { job_name: job('backup'), reason: 'BackoffLimitExceeded' } },
      quiet: {
        series: [
          s('kube_job_status_failed', { namespace: ns, job_name: job('backup') }, constant(0)),
          s('kube_job_status_failed', { namespace: ns, job_name: 'another-app-backup-29000000' }, constant(1)),
          // A failed cleanup is RedisCleanupJobFailed's.
          s('kube_job_status_failed', { namespace: ns, job_name: job('session-cleanup') }, constant(1)),
        ],
      },
    },
    {
      alert: 'RedisCleanupNotRun',
      severity: 'critical',
      fire: {
        series: [s('kube_cronjob_status_last_successful_time', { namespace: ns, cronjob: `${c.fullname}-session-cleanup` }, constant(-(a.cleanupMaxAgeMinutes * 60)))],
        labels: { cronjob: `${c.fullname}-session-cleanup` },
      },
      quiet: {
        series: [
          s('kube_cronjob_status_last_successful_time', { namespace: ns, cronjob: `${c.fullname}-session-cleanup` }, '0+60x90'),
          s('kube_cronjob_status_last_successful_time', { namespace: ns, cronjob: `${c.fullname}-backup` }, constant(-(a.cleanupMaxAgeMinutes * 60))),
        ],
      },
    },
    {
      alert: 'RedisBackupTooOld',
      severity: 'critical',
      fire: {
        series: [s('kube_cronjob_status_last_successful_time', { namespace: ns, cronjob: `${c.fullname}-backup` }, constant(-(a.backupMaxAgeHours * 3600)))],
        labels: { cronjob: `${c.fullname}-backup` },
      },
      quiet: {
        series: [
          s('kube_cronjob_status_last_successful_time', { namespace: ns, cronjob: `${c.fullname}-backup` }, constant(-(a.backupMaxAgeHours * 3600) + 7200)),
          s('kube_cronjob_status_last_successful_time', { namespace: ns, cronjob: `${c.fullname}-session-cleanup` }, constant(-(a.backupMaxAgeHours * 3600))),
        ],
      },
    },
    {
      alert: 'RedisBackupUploadFailed',
      severity: 'warning',
      fire: { series: [s('kube_pod_container_status_terminated_reason', upload('Error'), constant(1))], labels: upload('Error') },
      quiet: {
        series: [
          s('kube_pod_container_status_terminated_reason', upload('Completed'), constant(1)),
          // The backup step's own failure is RedisMaintenanceJobFailed's.
          s('kube_pod_container_status_terminated_reason', { ...upload('Error'), container: 'backup' }, constant(1)),
          s('kube_pod_container_status_terminated_reason', { ...upload('Error'), pod: 'another-app-backup-29000000-x7k2p' }, constant(1)),
        ],
      },
    },
    {
      alert: 'RedisContainerCpuThrottled',
      severity: 'warning',
      fire: {
        series: [
          s('container_cpu_cfs_periods_total', cadvisor(pod(0).pod, 'redis'), rising(600)),
          s('container_cpu_cfs_throttled_periods_total', cadvisor(pod(0).pod, 'redis'), rising(Math.round(600 * Math.min(a.cpuThrottlingRatio + 0.1, 1)))),
        ],
        labels: container(pod(0).pod, 'redis'),
      },
      quiet: {
        series: [
          s('container_cpu_cfs_periods_total', cadvisor(pod(0).pod, 'redis'), rising(600)),
          s('container_cpu_cfs_throttled_periods_total', cadvisor(pod(0).pod, 'redis'), rising(Math.round(600 * (a.cpuThrottlingRatio - 0.05)))),
          // A pod of another release in the namespace.
          s('container_cpu_cfs_periods_total', cadvisor('other-app-0', 'app'), rising(600)),
          s('container_cpu_cfs_throttled_periods_total', cadvisor('other-app-0', 'app'), rising(600)),
          // No CPU limit: no CFS periods at all.
          s('container_cpu_cfs_periods_total', cadvisor(sentinelPod(0).pod, 'sentinel'), constant(0)),
          s('container_cpu_cfs_throttled_periods_total', cadvisor(sentinelPod(0).pod, 'sentinel'), constant(0)),
        ],
      },
    },
    {
      alert: 'RedisContainerMemoryNearLimit',
      severity: 'warning',
      fire: {
        series: [
          s('container_memory_working_set_bytes', cadvisor(pod(0).pod, 'redis'), constant(Math.round(maxBytes * Math.min(a.containerMemoryWarningRatio + 0.05, 1)))),
          limit(pod(0).pod, 'redis', maxBytes),
        ],
        labels: container(pod(0).pod, 'redis'),
      },
      quiet: {
        series: [
          s('container_memory_working_set_bytes', cadvisor(pod(0).pod, 'redis'), constant(Math.round(maxBytes * (a.containerMemoryWarningRatio - 0.05)))),
          limit(pod(0).pod, 'redis', maxBytes),
          // The pod-level cgroup (container="") has no limit series of its own.
          s('container_memory_working_set_bytes', { ...cadvisor(pod(1).pod, ''), container: '' }, constant(maxBytes)),
          s('container_memory_working_set_bytes', cadvisor('other-app-0', 'app'), constant(maxBytes)),
          limit('other-app-0', 'app', maxBytes),
        ],
      },
    },
    {
      alert: 'RedisExporterScrapeFailing',
      severity: 'warning',
      fire: { series: [s('up', sentinelPod(1), constant(0))], labels: sentinelPod(1) },
      quiet: { series: [s('up', pod(0), constant(1)), s('up', sentinelPod(1), constant(1)), s('up', other, constant(0))] },
    },
    {
      alert: 'RedisExporterTargetsMissing',
      severity: 'warning',
      fire: { series: [s('redis_up', other, constant(1))], labels: { job: redisJob } },
      quiet: { series: [s('redis_up', pod(0), constant(0))] },
    },
    {
      alert: 'RedisSessionKeysWithoutTtl',
      severity: 'info',
      fire: {
        series: [s('redis_db_keys', { ...pod(0), db }, constant(10)), s('redis_db_keys_expiring', { ...pod(0), db }, constant(7))],
        labels: { ...pod(0), db },
      },
      quiet: {
        series: [
          s('redis_db_keys', { ...pod(0), db }, constant(10)), s('redis_db_keys_expiring', { ...pod(0), db }, constant(10)),
          // The cache database may hold keys without TTL.
          s('redis_db_keys', { ...pod(0), db: `db${c.sessionsDb + 1}` }, constant(10)),
          s('redis_db_keys_expiring', { ...pod(0), db: `db${c.sessionsDb + 1}` }, constant(0)),
        ],
      },
    },
    {
      alert: 'RedisSessionCountDropped',
      severity: 'info',
      fire: { series: [role(0, 'master'), s('redis_db_keys', { ...pod(0), db }, `1000x40 200x${STEPS - 40}`)], labels: {} },
      quiet: {
        series: [
          role(0, 'master'), role(1, 'slave'),
          s('redis_db_keys', { ...pod(0), db }, `1000x40 900x${STEPS - 40}`),
          // An emptied replica is not a session loss.
          s('redis_db_keys', { ...pod(1), db }, `1000x40 0x${STEPS - 40}`),
        ],
      },
    },
  ];
}
