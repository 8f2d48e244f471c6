import { z } from 'zod';
import { cronSchedule, kubernetesName, labelMap, quantity, redisMemory, resources, section } from './types';

/**
 * The one configuration schema. It gives:
 * - the TypeScript type `Config` (what constructs read),
 * - the defaults (an env file holds only what differs),
 * - the validation errors of `npm run synth`,
 * - the chart's `values.schema.json`, `values.yaml` and the README parameters table.
 *
 * Every key carries a description; the generated docs fail the build when one is missing.
 */

const image = (repository: string, tag: string) =>
  section({
    repository: z.string().min(1).default(repository).describe('Image repository'),
    tag: z.string().min(1).default(tag).describe('Image tag'),
    pullPolicy: z.enum(['Always', 'IfNotPresent', 'Never']).default('IfNotPresent').describe('Image pull policy'),
  });

const persistenceShape = (size: string, description: string) => ({
    enabled: z.boolean().default(true).describe(`${description}: keep data on a PersistentVolumeClaim per pod (false = emptyDir, data lost with the pod)`),
    size: quantity.default(size).describe('Size of each PersistentVolumeClaim'),
    storageClass: z.string().default('').describe('StorageClass of the claims ("" = the cluster default)'),
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

const sentinel = section({
  image: image('redis', '7.2.7'),
  replicas: z.int().min(1).default(3).describe('Number of Sentinel pods (odd, at least 3 in sentinel mode)'),
  quorum: z.int().min(1).default(2).describe('Sentinels that must agree the master is down (a majority of the sentinels)'),
  downAfterMilliseconds: z.int().min(100).default(5000).describe('Milliseconds without a valid reply before a sentinel considers the master down'),
  failoverTimeout: z.int().min(1000).default(60000).describe('Sentinel failover-timeout in milliseconds'),
  parallelSyncs: z.int().min(1).default(1).describe('Replicas reconfigured to the new master at the same time after a failover'),
  resources: resources({ cpu: '50m', memory: '64Mi' }, { cpu: '250m', memory: '128Mi' }),
  persistence: section(persistenceShape('100Mi', 'Sentinel state (current master, epochs)')),
  podDisruptionBudget: disruptionBudget,
  topologySpread,
});

const redis = section({
  mode: z.enum(['standalone', 'sentinel']).default('sentinel').describe('standalone: one Redis node; sentinel: a master, replicas and Sentinels for automatic failover'),
  image: image('redis', '7.2.7'),
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
  databases: section({
    count: z.int().min(2).max(64).default(16).describe('Number of Redis logical databases'),
    sessions: z.int().min(0).default(0).describe('Database index that holds sessions'),
    cache: z.int().min(0).default(1).describe('Database index that holds the service cache'),
  }),
  terminationGracePeriodSeconds: z.int().min(10).default(60).describe('Seconds a Redis pod has to hand mastership over and flush before it is killed'),
  podDisruptionBudget: disruptionBudget,
  topologySpread,
  sentinel,
});

const sessions = section({
  ttlSeconds: z.int().positive().default(3600).describe('Session lifetime in seconds'),
  refreshTokenTtlSeconds: z.int().positive().default(604800).describe('Refresh token lifetime in seconds'),
  maxSessionsPerUser: z.int().positive().default(5).describe('Sessions a user may hold; the oldest beyond this are removed'),
  maxRefreshTokensPerUser: z.int().positive().default(3).describe('Refresh tokens a user may hold; the oldest beyond this are removed'),
  keyPrefix: z.string().regex(/^[a-zA-Z0-9_-]+:$/, 'letters, digits, "-" or "_" ending with ":"').default('session:').describe('Prefix of session keys'),
});

const cache = section({
  defaultTtlSeconds: z.int().positive().default(86400).describe('Default TTL of cache entries in seconds'),
  maxEntriesPerService: z.int().positive().default(10000).describe('Cache entries a service may hold; least recently used beyond this are removed'),
});

const cleanupJob = (schedule: string, what: string) =>
  section({
    enabled: z.boolean().default(true).describe(`Run the ${what} CronJob`),
    schedule: cronSchedule.default(schedule).describe(`Cron schedule of the ${what}`),
    batchSize: z.int().positive().default(200).describe('Keys handled per SCAN/UNLINK batch'),
  });

const maintenance = section({
  sessionCleanup: cleanupJob('*/5 * * * *', 'session cleanup'),
  cacheCleanup: cleanupJob('*/10 * * * *', 'cache cleanup'),
  backup: section({
    enabled: z.boolean().default(true).describe('Run the backup CronJob (redis-cli --rdb from a replica)'),
    schedule: cronSchedule.default('0 2 * * *').describe('Cron schedule of the backup'),
    keep: z.int().positive().default(7).describe('Backups kept on the backup volume'),
    size: quantity.default('10Gi').describe('Size of the backup PersistentVolumeClaim'),
    storageClass: z.string().default('').describe('StorageClass of the backup claim ("" = the cluster default)'),
  }),
});

const auth = section({
  existingSecret: kubernetesName.or(z.literal('')).default('').describe(
    'Secret holding one password per ACL user under the keys app-password, cache-password, monitor-password, cleanup-password, backup-password, replication-password, sentinel-password',
  ),
});

export const configSchema = z.strictObject({
  fullnameOverride: kubernetesName.or(z.literal('')).default('').describe('Base name of every object ("" = the release name, session-database for dist/)'),
  namespace: section({
    name: kubernetesName.or(z.literal('')).default('').describe('Namespace of every object ("" = the release namespace; dist/ uses "default")'),
  }),
  labels: labelMap.default({}).describe('Extra labels on every object'),
  clusterDomain: z.string().regex(/^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/, 'a DNS domain such as cluster.local').default('cluster.local').describe('Cluster DNS domain, used in the pod host names Redis and Sentinel announce'),
  redis,
  sessions,
  cache,
  maintenance,
  auth,
});

/** Validated configuration with every default filled in. */
export type Config = z.output<typeof configSchema>;
/** What an env file may hold: any subset of the keys. */
export type ConfigInput = z.input<typeof configSchema>;

export function defaultConfig(): Config {
  return configSchema.parse({});
}
