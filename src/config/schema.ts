import { z } from 'zod';
import { backupS3 } from './sections/backup-s3';
import { disabledAlerts, operatorSettings } from './sections/monitoring';
import { workloadPolicies } from './sections/network-policy';
import { serviceSettings } from './sections/service';
import { tls } from './sections/tls';
import { global, image, nodePlacement, podSettings } from './sections/workload';
import { cronSchedule, freeText, kubernetesName, labelMap, quantity, redisMemory, resources, section } from './types';

/**
 * The one configuration schema. It gives:
 * - the TypeScript type `Config` (what constructs read),
 * - the defaults (an env file holds only what differs),
 * - the validation errors of `npm run synth`,
 * - the chart's `values.schema.json`, `values.yaml` and the README parameters table.
 *
 * Every key carries a description; the generated docs fail the build when one is missing.
 */

/** The settings of a PersistentVolumeClaim (one home: src/components/shared/storage.ts claimSpec). */
const claimShape = (size: string, what: string) => ({
  size: quantity.default(size).describe(`Size of ${what}`),
  storageClass: z.string().regex(/^(|-|[a-z0-9]([-a-z0-9.]*[a-z0-9])?)$/, 'a StorageClass name, "" or "-"').default('').describe(`StorageClass of ${what} ("" = the cluster default, "-" = no class: storageClassName "" for pre-provisioned volumes)`),
  accessModes: z.array(z.enum(['ReadWriteOnce', 'ReadWriteOncePod', 'ReadWriteMany', 'ReadOnlyMany'])).min(1).default(['ReadWriteOnce']).describe(`Access modes of ${what}`),
  annotations: z.record(z.string().regex(/^([a-z0-9.-]+\/)?[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$/, 'an annotation key'), z.string()).default({}).describe(`Annotations of ${what}`),
});

const retentionPolicy = z.enum(['Retain', 'Delete']);

const persistenceShape = (size: string, description: string) => ({
  enabled: z.boolean().default(true).describe(`${description}: keep data on a PersistentVolumeClaim per pod (false = emptyDir, data lost with the pod)`),
  ...claimShape(size, 'each PersistentVolumeClaim'),
  persistentVolumeClaimRetentionPolicy: section({
    whenDeleted: retentionPolicy.default('Retain').describe('What happens to the claims when the StatefulSet is deleted (Retain keeps the data)'),
    whenScaled: retentionPolicy.default('Retain').describe('What happens to the claim of a pod removed by scaling down'),
  }),
});

const disruptionBudget = section({
  enabled: z.boolean().default(true).describe('Create a PodDisruptionBudget'),
  maxUnavailable: z.int().min(1).default(1).describe('Pods that a voluntary disruption may take down at once'),
});

const topologySpread = section({
  enabled: z.boolean().default(true).describe('Spread pods across nodes (topologySpreadConstraints plus preferred pod anti-affinity)'),
  topologyKey: z.string().min(1).default('kubernetes.io/hostname').describe('Node label that defines a failure domain'),
  whenUnsatisfiable: z.enum(['DoNotSchedule', 'ScheduleAnyway']).default('ScheduleAnyway').describe('What the scheduler does when pods cannot be spread'),
});

export const maxmemoryPolicies = [
  'noeviction', 'allkeys-lru', 'allkeys-lfu', 'allkeys-random',
  'volatile-lru', 'volatile-lfu', 'volatile-random', 'volatile-ttl',
] as const;

const roleMemory = section({
  maxmemory: redisMemory.default('200mb').describe('Redis maxmemory for this role (Redis units: 200mb, 1gb); keep it below the memory limit'),
  maxmemoryPolicy: z.enum(maxmemoryPolicies).default('noeviction').describe('Redis maxmemory-policy for this role. noeviction keeps sessions from ever being evicted'),
});

/** Longest base name: <fullname>-session-cleanup (16 more) must fit a CronJob name (52). */
export const FULLNAME_MAX = 36;

const sentinel = section({
  image: image('docker.io', 'library/redis', '7.2.11'),
  replicas: z.int().min(1).default(3).describe('Number of Sentinel pods (odd, at least 3 in sentinel mode)'),
  quorum: z.int().min(1).default(2).describe('Sentinels that must agree the master is down (a majority of the sentinels)'),
  downAfterMilliseconds: z.int().min(100).default(5000).describe('Milliseconds without a valid reply before a sentinel considers the master down'),
  failoverTimeout: z.int().min(1000).default(60000).describe('Sentinel failover-timeout in milliseconds'),
  parallelSyncs: z.int().min(1).default(1).describe('Replicas reconfigured to the new master at the same time after a failover'),
  resources: resources({ cpu: '50m', memory: '64Mi' }, { cpu: '250m', memory: '128Mi' }),
  persistence: section(persistenceShape('100Mi', 'Sentinel state (current master, epochs)')),
  podDisruptionBudget: disruptionBudget,
  topologySpread,
  ...podSettings('Sentinel', { terminationGracePeriodSeconds: 30 }),
  logLevel: z.enum(['debug', 'verbose', 'notice', 'warning']).default('notice').describe('Sentinel loglevel (its log is the container\'s stdout); notice logs every failover event (+sdown, +odown, +switch-master)'),
  extraConfig: freeText().default('').describe('Extra sentinel.conf lines (multi-line), appended after the monitored master and its settings, so per-master directives (sentinel master-reboot-down-after-period <redis.masterName> 0) may name it; the addresses, credentials and ACL users that the start script writes last still win. Directives the chart manages (user, aclfile, requirepass, rename-command, bind, port, dir, include, loadmodule, protected-mode, daemonize, logfile, tls-*, and sentinel monitor, auth-pass, auth-user, sentinel-user, sentinel-pass, announce-*, resolve-hostnames, deny-scripts-reconfig, notification-script, client-reconfig-script, myid, known-*, *-epoch, down-after-milliseconds, failover-timeout, parallel-syncs, rename-command) are refused'),
  service: serviceSettings('Sentinel', 'redis.sentinel.service'),
});

/**
 * The master endpoint: HAProxy in front of the Redis nodes, routing only to the one that reports
 * role:master (src/components/master-endpoint), for clients that do not speak Sentinel.
 */
const masterEndpoint = section({
  enabled: z.boolean().default(true).describe('Run the master endpoint (sentinel mode): a <fullname>-master Service in front of HAProxy pods whose health checks log in as the monitor user and route only to the Redis node that reports role:master, so clients that do not speak Sentinel (REDIS_URL) always write to the master. Off: only Sentinel-aware clients can find the master'),
  image: image('docker.io', 'library/haproxy', '2.8.14'),
  replicas: z.int().min(1).default(2).describe('HAProxy pods (each checks every Redis node on its own; 2 keep the endpoint up through a node drain)'),
  resources: resources({ cpu: '50m', memory: '64Mi' }, { cpu: '500m', memory: '128Mi' }),
  checkIntervalMilliseconds: z.int().min(100).max(10000).default(1000).describe('How often HAProxy asks each Redis node for its role; after a failover the new master is routed to within one interval'),
  idleTimeoutSeconds: z.int().min(10).default(3600).describe('HAProxy closes a client connection idle this long (timeout client/server); pooled connections that sit idle longer are reconnected by the client library'),
  maxConnections: z.int().min(1).default(4096).describe('Client connections each HAProxy pod accepts (maxconn); keep replicas x maxConnections below redis.maxclients'),
  ...podSettings('master endpoint (HAProxy)', { terminationGracePeriodSeconds: 30 }),
  podDisruptionBudget: disruptionBudget,
  topologySpread,
  service: serviceSettings('master endpoint', 'redis.masterEndpoint.service'),
});

const redis = section({
  mode: z.enum(['standalone', 'sentinel']).default('sentinel').describe('standalone: one Redis node; sentinel: a master, replicas and Sentinels for automatic failover'),
  image: image('docker.io', 'library/redis', '7.2.11'),
  replicas: z.int().min(1).default(3).describe('Redis data nodes (in sentinel mode: 1 master + replicas-1 replicas)'),
  masterName: z.string().regex(/^[a-zA-Z0-9_-]+$/, 'letters, digits, "-" and "_" only').default('mymaster').describe('Name the sentinels monitor the master under'),
  resources: resources({ cpu: '100m', memory: '256Mi' }, { cpu: '1', memory: '512Mi' }),
  persistence: section({
    ...persistenceShape('8Gi', 'Redis data'),
    appendonly: z.boolean().default(true).describe('Append-only file (appendonly yes)'),
    appendfsync: z.enum(['always', 'everysec', 'no']).default('everysec').describe('AOF fsync policy'),
    save: z.string().regex(/^$|^(\d+ \d+)( \d+ \d+)*$/, 'pairs of "<seconds> <changes>", e.g. "900 1 300 10"').default('900 1 300 10 60 10000').describe('RDB snapshot schedule (Redis save directive); "" disables RDB snapshots'),
  }),
  master: roleMemory,
  replica: roleMemory,
  minReplicasToWrite: z.int().min(0).default(1).describe('min-replicas-to-write: the master refuses writes with fewer connected replicas (0 in standalone mode)'),
  minReplicasMaxLag: z.int().min(1).default(10).describe('min-replicas-max-lag in seconds'),
  tcpKeepalive: z.int().min(0).default(60).describe('tcp-keepalive in seconds'),
  timeout: z.int().min(0).default(0).describe('Close idle client connections after this many seconds (0 = never)'),
  maxclients: z.int().min(1).default(10000).describe('maxclients'),
  logLevel: z.enum(['debug', 'verbose', 'notice', 'warning']).default('notice').describe('Redis loglevel (its log is the container\'s stdout)'),
  slowlog: section({
    logSlowerThanMicroseconds: z.int().min(-1).default(10000).describe('slowlog-log-slower-than: commands slower than this many microseconds enter the SLOWLOG (0 = every command, -1 = none); read with SLOWLOG GET as the monitor user'),
    maxLength: z.int().min(0).default(128).describe('slowlog-max-len: entries the SLOWLOG keeps'),
  }),
  latencyMonitorThresholdMilliseconds: z.int().min(0).default(100).describe('latency-monitor-threshold: events (commands, forks, AOF fsync) slower than this many milliseconds are recorded for LATENCY LATEST/HISTORY (0 = off)'),
  aclLogMaxLength: z.int().min(0).default(128).describe('acllog-max-len: denied commands and failed logins the ACL LOG keeps (counted in INFO stats acl_access_denied_*)'),
  databases: section({
    count: z.int().min(2).max(64).default(16).describe('Number of Redis logical databases'),
    sessions: z.int().min(0).default(0).describe('Database index that holds sessions'),
    cache: z.int().min(0).default(1).describe('Database index that holds the service cache'),
  }),
  ...podSettings('Redis', { terminationGracePeriodSeconds: 60 }),
  terminationGracePeriodSeconds: z.int().min(10).default(60).describe('Seconds a Redis pod has to hand mastership over and flush before it is killed'),
  disableCommands: z.array(z.string().regex(/^[A-Za-z][A-Za-z0-9-]*(\|[A-Za-z][A-Za-z0-9-]*)?$/, 'a Redis command (FLUSHALL) or subcommand (CONFIG|GET)')).default([]).describe('Commands the application ACL users (app, cache and auth.extraUsers) may not run, applied as ACL -<command> after their other rules, e.g. [SCAN, "CLIENT|LIST"]; FLUSHALL, FLUSHDB, KEYS and the @dangerous commands are always refused. (ACL rules, not rename-command, which would break replication and Sentinel)'),
  extraConfig: freeText().default('').describe('Extra redis.conf lines (multi-line), appended after the generated settings. The role settings (maxmemory, min-replicas-to-write), addresses, ACL file and TLS that the start script writes last still win; directives the chart manages for security (user, aclfile, requirepass, masteruser, masterauth, rename-command, bind, port, dir, include, loadmodule, protected-mode, enable-*-command, tls-*) are refused'),
  podDisruptionBudget: disruptionBudget,
  topologySpread,
  autoscaling: section({
    enabled: z.boolean().default(false).describe('HorizontalPodAutoscaler for the Redis data nodes (sentinel mode only; more replicas add read capacity and redundancy, never write capacity)'),
    maxReplicas: z.int().min(2).default(5).describe('Most Redis data nodes the autoscaler may run (the least is redis.replicas)'),
    targetCPUUtilizationPercentage: z.int().min(1).max(100).default(70).describe('Average CPU utilization (of the requests) the autoscaler aims at'),
    targetMemoryUtilizationPercentage: z.int().min(0).max(100).default(80).describe('Average memory utilization (of the requests) the autoscaler aims at; 0 = no memory metric (every replica holds the whole dataset, so memory does not fall when nodes are added)'),
    scaleDownStabilizationSeconds: z.int().min(0).default(900).describe('Seconds of lower load before the autoscaler removes a node'),
    scaleDownPeriodSeconds: z.int().min(60).default(600).describe('At most one node is removed per this many seconds, so replicas resync and a master hands over through preStop'),
    scaleUpPeriodSeconds: z.int().min(15).default(120).describe('At most one node is added per this many seconds (each new replica does a full sync)'),
  }),
  sentinel,
  masterEndpoint,
  service: serviceSettings('Redis', 'redis.service'),
});

const sessions = section({
  ttlSeconds: z.int().positive().default(3600).describe('Session lifetime in seconds, published to apps as SESSION_TTL_SECONDS in the client contract ConfigMap (apps set it as the key TTL)'),
  refreshTokenTtlSeconds: z.int().positive().default(604800).describe('Refresh token lifetime in seconds, published to apps as REFRESH_TOKEN_TTL_SECONDS in the client contract ConfigMap'),
  maxSessionsPerUser: z.int().positive().default(5).describe('Sessions a user may hold; the oldest beyond this are removed'),
  maxRefreshTokensPerUser: z.int().positive().default(3).describe('Refresh tokens a user may hold; the oldest beyond this are removed'),
  keyPrefix: z.string().regex(/^[a-zA-Z0-9_-]+:$/, 'letters, digits, "-" or "_" ending with ":"').default('session:').describe('Prefix of session keys'),
});

const cache = section({
  defaultTtlSeconds: z.int().positive().default(86400).describe('Default TTL of cache entries in seconds, published to apps as CACHE_DEFAULT_TTL_SECONDS in the client contract ConfigMap'),
  maxEntriesPerService: z.int().positive().default(10000).describe('Cache entries a service may hold; least recently used beyond this are removed'),
});

/** Settings every maintenance CronJob shares. */
const jobShape = (what: string, deadline: number) => ({
  activeDeadlineSeconds: z.int().positive().default(deadline).describe(`Seconds a ${what} Job may run before Kubernetes stops it`),
  backoffLimit: z.int().min(0).default(2).describe(`Retries of a failed ${what} Job`),
  successfulJobsHistoryLimit: z.int().min(0).default(3).describe(`Finished ${what} Jobs kept`),
  failedJobsHistoryLimit: z.int().min(0).default(3).describe(`Failed ${what} Jobs kept`),
  resources: resources({ cpu: '10m', memory: '32Mi' }, { cpu: '500m', memory: '128Mi' }),
});

const cleanupJob = (schedule: string, what: string, batchSize: number, deadline = 600) =>
  section({
    enabled: z.boolean().default(true).describe(`Run the ${what} CronJob`),
    schedule: cronSchedule.default(schedule).describe(`Cron schedule of the ${what}`),
    batchSize: z.int().positive().default(batchSize).describe(`SCAN COUNT / members handled per atomic Lua call of the ${what}; smaller keeps app latency flat while it runs, larger finishes sooner`),
    ...jobShape(what, deadline),
  });

const maintenance = section({
  // 16 keeps app GET p99 within 2x of idle during a 1M-entry run at 75-90k entries/s (npm run bench: cleanup_*);
  // 50 measured 2.1-2.2x, 25 measured 1.4-2.05x on this 2-core machine.
  sessionCleanup: cleanupJob('*/5 * * * *', 'session cleanup', 16),
  // Scheduling and pod extensions of every maintenance Job's pod.
  ...podSettings('maintenance Job', { terminationGracePeriodSeconds: 30 }),
  cacheCleanup: cleanupJob('*/10 * * * *', 'cache cleanup', 200),
  backup: section({
    enabled: z.boolean().default(true).describe('Run the backup CronJob (redis-cli --rdb from a replica)'),
    schedule: cronSchedule.default('0 2 * * *').describe('Cron schedule of the backup'),
    keep: z.int().positive().default(7).describe('Backups kept on the backup volume'),
    ...claimShape('10Gi', 'the backup PersistentVolumeClaim'),
    ...jobShape('backup', 3600),
    s3: backupS3,
  }),
});

/** The health check (src/components/health-check): a script in a ConfigMap and the `helm test` Pod that runs it. */
const healthCheck = section({
  enabled: z.boolean().default(true).describe('Render the health check: the <fullname>-health-check ConfigMap with health-check.sh, which an operator runs from a client pod (docs/runbook.md "Health check"), and the `helm test` Pod that runs it (dist/<env>/tests/health-check.yaml)'),
  activeDeadlineSeconds: z.int().positive().default(120).describe('Seconds the helm test Pod may run before Kubernetes stops it'),
  timeoutSeconds: z.int().positive().default(5).describe('Bound in seconds of each redis-cli call of the check (HEALTH_CHECK_TIMEOUT_SECONDS)'),
  resources: resources({ cpu: '10m', memory: '16Mi' }, { cpu: '200m', memory: '64Mi' }),
  ...nodePlacement('helm test'),
});

const auth = section({
  cacheUserScripting: z.boolean().default(false).describe('Let the cache ACL user run Lua scripts (EVALSHA, SCRIPT LOAD). Off: the services holding the cache password cannot run scripts (the cache cleanup CronJob runs as the cleanup user)'),
  existingSecret: kubernetesName.or(z.literal('')).default('').describe(
    'Secret holding one password per ACL user under the keys of auth.existingSecretKeys (by default app-password, cache-password, monitor-password, cleanup-password, backup-password, replication-password, sentinel-password)',
  ),
  extraUsers: z
    .array(
      z.strictObject({
        name: z.string().regex(/^[a-z][a-z0-9_-]{0,31}$/, 'a user name: lower-case letters, digits, "_" and "-", starting with a letter').describe('ACL user name'),
        passwordKey: z.string().regex(/^[-._a-zA-Z0-9]+$/, 'a Secret key').describe('Key of the auth Secret that holds this user\'s password'),
        rules: z.string().regex(/^[-+~%@|:*?^\[\]{}a-zA-Z0-9_.,/ ]+$/, 'ACL rules: key patterns (~, %R~, %W~) and +/- commands or @categories separated by spaces, without passwords (<, >, #), channels (&) or quotes').describe('ACL rules after "on <password> resetkeys resetchannels nocommands", e.g. "~reports:* +@read +ping"'),
      }),
    )
    .default([])
    .describe('More ACL users of the Redis nodes (not of the Sentinels), e.g. [{name: reports, passwordKey: reports-password, rules: "~reports:* +@read"}]. Their passwords come from the auth Secret; -@dangerous, FLUSHALL, FLUSHDB, KEYS and redis.disableCommands are taken back after their rules. Refused: the built-in names (default, app, cache, monitor, cleanup, backup, replication, sentinel) and rules that weaken the ACLs (nopass, reset, resetpass, allcommands, +@all, +@dangerous, +@admin, allkeys, ~*, allchannels, a %PASSWORD marker)'),
  existingSecretKeys: section(
    Object.fromEntries(
      (['app', 'cache', 'monitor', 'cleanup', 'backup', 'replication', 'sentinel'] as const).map((user) => [
        user,
        z.string().regex(/^[-._a-zA-Z0-9]+$/, 'a Secret key').default(`${user}-password`).describe(`Key of the auth Secret (auth.existingSecret, the ExternalSecret or the Helm-generated one) that holds the password of the ${user} ACL user; every pod, Job, exporter and the client contract read it from this key`),
      ]),
    ) as Record<'app' | 'cache' | 'monitor' | 'cleanup' | 'backup' | 'replication' | 'sentinel', z.ZodDefault<z.ZodString>>,
  ),
  externalSecret: section({
    enabled: z.boolean().default(false).describe('Create the auth Secret (<fullname>-auth) with an External Secrets Operator ExternalSecret (external-secrets.io/v1, served by External Secrets Operator 0.17 and later) instead of auth.existingSecret'),
    secretStoreRef: section({
      name: z.string().regex(/^$|^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/, 'a SecretStore name').default('').describe('Name of the SecretStore or ClusterSecretStore the passwords come from (required when auth.externalSecret.enabled)'),
      kind: z.enum(['SecretStore', 'ClusterSecretStore']).default('SecretStore').describe('Kind of the store'),
    }),
    remoteKey: z.string().default('').describe('One remote secret holding every password as a property named like the Secret key (app-password, cache-password, ...); set this or remoteKeyPrefix'),
    remoteKeyPrefix: z.string().default('').describe('One remote secret per password, named <remoteKeyPrefix><user>-password (e.g. session-database/ gives session-database/app-password); set this or remoteKey'),
    refreshInterval: z.string().regex(/^([0-9]+(ns|us|µs|ms|s|m|h))+$/, 'a Go duration such as 1h or 15m').default('1h').describe('How often the operator re-reads the remote passwords'),
  }),
});

const selectorLabelMap = (description: string) => labelMap.default({}).describe(description);

const networkPolicy = section({
  enabled: z.boolean().default(true).describe('NetworkPolicies: deny all ingress and egress of the chart\'s pods, then allow exactly the flows they need (clients, replication, sentinels, monitoring, DNS, maintenance jobs)'),
  clients: section({
    podSelector: selectorLabelMap('Labels of the client pods allowed to reach Redis and Sentinel. With namespaceSelector also {}, the default: pods labelled session-database/client=true in the release namespace. With namespaceSelector set, {} = every pod of those namespaces. (An empty map, not a default label map, so Helm never merges a default label into yours.)'),
    namespaceSelector: selectorLabelMap('Labels of the namespaces client pods may run in ({} = only the release namespace), e.g. kubernetes.io/metadata.name: shop'),
  }),
  monitoring: section({
    namespace: kubernetesName.default('monitoring').describe('Namespace of the Prometheus that scrapes the exporters (matched by its kubernetes.io/metadata.name label)'),
    podSelector: selectorLabelMap('Labels of the scraping pods in that namespace ({} = any pod there), e.g. app.kubernetes.io/name: prometheus'),
  }),
  ingressController: section({
    namespace: kubernetesName.default('ingress-nginx').describe('Namespace of the ingress controller that may reach Grafana (monitoring.mode standalone with monitoring.standalone.ingress.enabled)'),
    podSelector: selectorLabelMap('Labels of the ingress controller pods ({} = any pod of that namespace)'),
  }),
  dns: section({
    namespace: kubernetesName.default('kube-system').describe('Namespace of the cluster DNS pods'),
    podSelector: selectorLabelMap('Labels of the cluster DNS pods ({} = k8s-app: kube-dns, the label of CoreDNS and kube-dns in most distributions)'),
  }),
  ...workloadPolicies,
});

const duration = z.string().regex(/^[0-9]+(ms|s|m|h|d)$/, 'a Prometheus duration such as 30s, 5m or 1h');
const ratio = z.number().gt(0).max(1);

const monitoringStorage = (size: string, what: string) => section(claimShape(size, `the ${what} claim`));

const monitoring = section({
  mode: z.enum(['operator', 'standalone', 'off']).default('off').describe(
    'operator: PodMonitors, PrometheusRule and dashboard ConfigMaps for an existing Prometheus Operator (kube-prometheus-stack); standalone: own Prometheus, Alertmanager and Grafana; off: no exporters, nothing (quote it in Helm values: "off", YAML 1.1 reads a bare off as false). Default off because the operator CRDs may not exist in the cluster; production sets operator',
  ),
  scrapeInterval: duration.default('30s').describe('How often Prometheus scrapes the exporters'),
  ...operatorSettings,
  exporter: section({
    image: image('docker.io', 'oliver006/redis_exporter', 'v1.67.0'),
    resources: resources({ cpu: '10m', memory: '32Mi' }, { cpu: '200m', memory: '64Mi' }),
  }),
  alerts: section({
    downFor: duration.default('1m').describe('How long a Redis node, sentinel or exporter must be down before its alert fires'),
    memoryWarningRatio: ratio.default(0.8).describe('Warn when used memory exceeds this fraction of maxmemory'),
    memoryCriticalRatio: ratio.default(0.9).describe('Critical when used memory exceeds this fraction of maxmemory'),
    connectionsWarningRatio: ratio.default(0.8).describe('Warn when connected clients exceed this fraction of maxclients'),
    replicationLagSeconds: z.int().positive().default(30).describe('Warn when a replica has not heard from its master for this many seconds'),
    backupMaxAgeHours: z.int().positive().default(26).describe('Critical when neither an RDB save nor a backup Job succeeded for this many hours'),
    cleanupMaxAgeMinutes: z.int().positive().default(60).describe('Critical when a cleanup CronJob has not succeeded for this many minutes'),
    cacheHitRateWarningRatio: ratio.default(0.8).describe('Warn when a Redis node that holds the cache database answers fewer than this fraction of key lookups with a hit (Redis counts hits and misses per server, so session lookups are in the mix: docs/runbook.md#rediscachehitratelow)'),
    cacheMinLookupsPerSecond: z.number().min(0).default(1).describe('The hit-rate alert ignores a node doing fewer key lookups per second than this (too few to judge)'),
    cpuThrottlingRatio: ratio.default(0.25).describe('Warn when a container of the release was CPU-throttled in more than this fraction of its CFS periods (cAdvisor; raise the CPU limit)'),
    containerMemoryWarningRatio: ratio.default(0.9).describe('Warn when a container of the release uses more than this fraction of its memory limit (working set, cAdvisor and kube-state-metrics): the kernel kills it at the limit'),
    runbookUrl: z.string().regex(/^https?:\/\/[A-Za-z0-9.-]+(:[0-9]+)?(\/[A-Za-z0-9._~%\/-]*)?$/, 'an http(s) URL without query or fragment').default('https://github.com/example-org/session-database/blob/main/docs/runbook.md').describe('Where docs/runbook.md is published; every alert carries runbook_url <this>#<alert name in lower case>'),
    disabled: disabledAlerts,
  }),
  dashboards: section({
    label: z.string().regex(/^([a-z0-9.-]+\/)?[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$/, 'a Kubernetes label key').default('grafana_dashboard').describe('Label the Grafana dashboard sidecar watches (operator mode)'),
    labelValue: z.string().regex(/^[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$/, 'a Kubernetes label value').default('1').describe('Value of that label'),
  }),
  standalone: section({
    prometheus: section({
      image: image('quay.io', 'prometheus/prometheus', 'v2.55.1'),
      retention: duration.default('15d').describe('How long Prometheus keeps samples'),
      resources: resources({ cpu: '100m', memory: '256Mi' }, { cpu: '1', memory: '1Gi' }),
      storage: monitoringStorage('10Gi', 'Prometheus'),
      ...podSettings('Prometheus', { terminationGracePeriodSeconds: 30 }),
      service: serviceSettings('Prometheus', 'monitoring.standalone.prometheus.service'),
      kubeStateMetricsTarget: z.string().regex(/^$|^[a-z0-9.-]+:[0-9]+$/, 'host:port, e.g. kube-state-metrics.kube-system.svc:8080').default('').describe('kube-state-metrics address (host:port) for the CronJob alerts ("" = not scraped; those alerts stay silent)'),
    }),
    alertmanager: section({
      image: image('quay.io', 'prometheus/alertmanager', 'v0.27.0'),
      resources: resources({ cpu: '10m', memory: '32Mi' }, { cpu: '200m', memory: '128Mi' }),
      storage: monitoringStorage('1Gi', 'Alertmanager'),
      ...podSettings('Alertmanager', { terminationGracePeriodSeconds: 30 }),
      service: serviceSettings('Alertmanager', 'monitoring.standalone.alertmanager.service'),
      configSecret: kubernetesName.or(z.literal('')).default('').describe('Existing Secret with key alertmanager.yml that replaces the generated Alertmanager config, for receivers with credentials ("" = the generated config: alerts are grouped and shown in Alertmanager and Grafana, no notifications leave the cluster)'),
    }),
    grafana: section({
      image: image('docker.io', 'grafana/grafana', '11.3.1'),
      resources: resources({ cpu: '50m', memory: '128Mi' }, { cpu: '500m', memory: '256Mi' }),
      storage: monitoringStorage('1Gi', 'Grafana'),
      ...podSettings('Grafana', { terminationGracePeriodSeconds: 30 }),
      service: serviceSettings('Grafana', 'monitoring.standalone.grafana.service'),
      adminSecret: kubernetesName.or(z.literal('')).default('').describe('Existing Secret with keys admin-user and admin-password for the Grafana admin (required in standalone mode; there is no default password)'),
    }),
    ingress: section({
      enabled: z.boolean().default(false).describe('Expose Grafana through an Ingress (Prometheus and Alertmanager stay cluster-internal)'),
      className: z.string().default('').describe('IngressClass ("" = the cluster default)'),
      host: z.string().regex(/^$|^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/, 'a DNS host name').default('').describe('Host name of the Grafana Ingress'),
      tlsSecret: kubernetesName.or(z.literal('')).default('').describe('Secret with the TLS certificate for the host (required when the Ingress is enabled)'),
    }),
  }),
});

const argocd = section({
  repoURL: z
    .string()
    .regex(/^$|^(https?:\/\/|ssh:\/\/|git@)\S+$/, 'a Git URL such as https://github.com/example-org/session-database.git or git@github.com:example-org/session-database.git')
    .default('')
    .describe('Git URL of this repository, which Argo CD syncs from; required for the argocd/ output ("" = no default on purpose: set it in values/<env>.yaml)'),
  targetRevision: z.string().min(1).default('main').describe('Branch, tag or commit Argo CD deploys'),
  project: kubernetesName.default('default').describe('Argo CD AppProject of the Application'),
  namespace: kubernetesName.default('argocd').describe('Namespace of the Argo CD Application and ApplicationSet objects (where Argo CD runs)'),
  destinationServer: z.string().regex(/^https?:\/\/\S+$/, 'a Kubernetes API URL such as https://kubernetes.default.svc').default('https://kubernetes.default.svc').describe('Kubernetes API server Argo CD deploys to'),
  source: z.enum(['chart', 'manifests']).default('chart').describe('chart: Argo CD renders charts/session-database with values/<env>.yaml; manifests: Argo CD syncs the rendered dist/<env>/ directory'),
});

const infinispan = section({
  enabled: z.boolean().default(false).describe('Run an Infinispan cluster that keeps agent sessions across pod restarts and replicas (optional; Redis stays the core store)'),
  image: image('quay.io', 'infinispan/server', '15.0'),
  replicas: z.int().min(1).default(3).describe('Infinispan server pods (cluster members); at least infinispan.cache.owners'),
  resources: resources({ cpu: '250m', memory: '768Mi' }, { cpu: '1', memory: '1Gi' }),
  javaOptions: z.string().default('-XX:MaxRAMPercentage=60 -XX:+ExitOnOutOfMemoryError').describe('JAVA_OPTIONS of the server JVM (heap sizing, GC flags)'),
  ...podSettings('Infinispan', { terminationGracePeriodSeconds: 60 }),
  terminationGracePeriodSeconds: z.int().min(10).default(60).describe('Seconds a server has to leave the cluster and flush its file store before it is killed'),
  persistence: section({
    ...claimShape('2Gi', 'the PersistentVolumeClaim of each server (global state and the file store)'),
    persistentVolumeClaimRetentionPolicy: section({
      whenDeleted: retentionPolicy.default('Retain').describe('What happens to the claims when the StatefulSet is deleted (Retain keeps the data)'),
      whenScaled: retentionPolicy.default('Retain').describe('What happens to the claim of a pod removed by scaling down'),
    }),
  }),
  cache: section({
    name: z.string().regex(/^[a-zA-Z0-9_-]+$/, 'letters, digits, "-" and "_" only').default('sessions').describe('Name of the distributed cache that holds sessions'),
    mode: z.enum(['SYNC', 'ASYNC']).default('SYNC').describe('Replication mode: SYNC waits for every owner to acknowledge a write'),
    owners: z.int().min(1).default(2).describe('Copies of each entry in the cluster (at most infinispan.replicas)'),
    segments: z.int().positive().default(256).describe('Hash space segments of the cache (at least 20 per server is recommended)'),
    lifespanMilliseconds: z.int().positive().default(3600000).describe('Expiration lifespan of an entry in milliseconds (at least maxIdleMilliseconds)'),
    maxIdleMilliseconds: z.int().min(-1).default(-1).describe('Expiration max-idle of an entry in milliseconds, -1 for none (at most lifespanMilliseconds; needs fileStore.passivation: Infinispan refuses max-idle with a write-through store)'),
    fileStore: section({
      passivation: z.boolean().default(false).describe('Write entries to the file store only when they are evicted from memory (false = write-through)'),
      preload: z.boolean().default(true).describe('Load the file store into memory when the cache starts'),
      purge: z.boolean().default(false).describe('Empty the file store when the cache starts'),
      shared: z.boolean().default(false).describe('The file store is shared between servers (false: every server has its own volume)'),
    }),
  }),
  auth: section({
    usernameKey: z.string().regex(/^[-._a-zA-Z0-9]+$/, 'a Secret key').default('infinispan-username').describe('Key of the auth Secret (auth.existingSecret, the ExternalSecret or the Helm-generated one) that holds the Infinispan user name'),
    passwordKey: z.string().regex(/^[-._a-zA-Z0-9]+$/, 'a Secret key').default('infinispan-password').describe('Key of the auth Secret that holds the Infinispan password'),
    admin: section({
      enabled: z.boolean().default(false).describe('Also create an admin identity (Infinispan role admin) from the auth Secret, for backup and restore (docs/infinispan.md); off: the application identity is the only one'),
      usernameKey: z.string().regex(/^[-._a-zA-Z0-9]+$/, 'a Secret key').default('infinispan-admin-username').describe('Key of the auth Secret that holds the Infinispan admin user name'),
      passwordKey: z.string().regex(/^[-._a-zA-Z0-9]+$/, 'a Secret key').default('infinispan-admin-password').describe('Key of the auth Secret that holds the Infinispan admin password'),
    }),
  }),
  podDisruptionBudget: disruptionBudget,
  topologySpread,
  service: serviceSettings('Infinispan', 'infinispan.service'),
  metrics: section({
    serviceMonitor: section({
      enabled: z.boolean().default(false).describe('Create a ServiceMonitor (monitoring.coreos.com/v1) for the servers\' /metrics endpoint'),
      interval: z.string().regex(/^[0-9]+(ms|s|m|h)$/, 'a Prometheus duration such as 30s').default('30s').describe('Scrape interval'),
    }),
    prometheusRule: section({
      enabled: z.boolean().default(false).describe('Create a PrometheusRule with Infinispan alerts (member missing, split view, server down)'),
      for: z.string().regex(/^[0-9]+(ms|s|m|h)$/, 'a Prometheus duration such as 5m').default('5m').describe('How long a condition must hold before its alert fires'),
    }),
  }),
});

export const configSchema = z.strictObject({
  global,
  renderCustomResources: z.enum(['auto', 'always']).default('auto').describe('Chart only. auto: render the cert-manager, Prometheus Operator and External Secrets objects only where the cluster serves their API (.Capabilities; Argo CD passes the cluster\'s APIs, helm template needs --api-versions), and warn in NOTES about what was left out; always: render them regardless (e.g. the operator is installed in the same sync). dist/ always has them'),
  fullnameOverride: z.string().max(FULLNAME_MAX, `at most ${FULLNAME_MAX} characters (the longest name made from it, <fullname>-session-cleanup, must fit a CronJob's 52)`).regex(/^$|^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/, 'a DNS-1123 name: lower-case letters, digits and "-"').default('').describe(`Base name of every object ("" = the release name, session-database for dist/; either is cut to ${FULLNAME_MAX} characters)`),
  namespace: section({
    name: kubernetesName.or(z.literal('')).default('').describe('Namespace of every object ("" = the release namespace; dist/ uses "default")'),
    create: z.boolean().default(true).describe('Create namespace.name as a Namespace labelled for Pod Security "restricted" (enforce, audit, warn). Ignored when namespace.name is "". Set false to use an existing namespace (e.g. created by `helm --create-namespace` or ArgoCD CreateNamespace with managedNamespaceMetadata); a chart cannot own the namespace it is installed into'),
  }),
  commonLabels: labelMap.default({}).describe('Labels added to every object (not to pod templates, so changing them restarts no pod; use <workload>.podLabels for pods). The chart\'s own app.kubernetes.io labels cannot be set here'),
  commonAnnotations: z.record(z.string().regex(/^([a-z0-9.-]+\/)?[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$/, 'an annotation key'), z.string()).default({}).describe('Annotations added to every object (not to pod templates; use <workload>.podAnnotations for pods)'),
  labels: labelMap.default({}).describe('Deprecated alias of commonLabels (kept so that values of chart 0.2 still work); commonLabels wins where both set a key'),
  clusterDomain: z.string().regex(/^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/, 'a DNS domain such as cluster.local').default('cluster.local').describe('Cluster DNS domain, used in the pod host names Redis and Sentinel announce'),
  redis,
  sessions,
  cache,
  maintenance,
  healthCheck,
  auth,
  argocd,
  monitoring,
  networkPolicy,
  infinispan,
  tls,
});

/** Validated configuration with every default filled in. */
export type Config = z.output<typeof configSchema>;
/** What an env file may hold: any subset of the keys. */
export type ConfigInput = z.input<typeof configSchema>;

export function defaultConfig(): Config {
  return configSchema.parse({});
}
