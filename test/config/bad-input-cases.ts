/* The bad-input table shared by the loader test and the Helm chart test. */
import { mergeDeep } from './merge';
export const FILE = 'values/production.yaml';

/** A valid input; every case below changes one thing of it. */
export const BASE = { auth: { existingSecret: 'session-database-auth' } };

export interface BadInputCase {
  readonly name: string;
  readonly values: any;
  /** The loader's message. */
  readonly message: string | RegExp;
  /** What Helm's schema error must contain when it is not the key path (e.g. a bad map key). */
  readonly helm?: RegExp;
}

/** Each row must give exactly the message shown (the Helm chart refuses the same rows). */
export const cases: BadInputCase[] = [
  {
    name: 'an unknown key (a typo) names the key and suggests the right one',
    values: { redis: { replcas: 3 } },
    message: `${FILE}: redis.replcas is not a known key; did you mean redis.replicas?`,
  },
  {
    name: 'a wrong type names the value and the expected type',
    values: { redis: { replicas: 'three' } },
    message: `${FILE}: redis.replicas is "three" (a string) but must be a whole number such as 3; fix the type in the file`,
  },
  {
    name: 'extra redis.conf lines that would add an ACL user are refused, whatever their case',
    values: { redis: { extraConfig: 'hz 20\n  USER intruder on >secret +@all ~*\n' } },
    message: /^values\/production\.yaml: redis\.extraConfig sets a directive the chart manages \(user, aclfile/,
  },
  {
    name: 'extra redis.conf lines with a control character are refused',
    values: { redis: { extraConfig: 'hz 20\r\n' } },
    message: `${FILE}: redis.extraConfig is "hz 20\\r\\n" but must be text without control characters (line breaks and tabs are fine)`,
  },
  {
    name: 'extra sentinel.conf lines that would re-point the monitored master are refused, whatever their case',
    values: { redis: { sentinel: { extraConfig: 'loglevel verbose\n  SENTINEL monitor evil 10.0.0.1 6379 1\n' } } },
    message: /^values\/production\.yaml: redis\.sentinel\.extraConfig sets a directive the chart manages \(user, aclfile, requirepass, rename-command, bind, port, dir, include, loadmodule, protected-mode, daemonize, logfile, tls-\*, or sentinel monitor, auth-pass/,
  },
  {
    name: 'extra sentinel.conf lines that would run a notification script are refused',
    values: { redis: { sentinel: { extraConfig: 'sentinel notification-script mymaster /tmp/x.sh' } } },
    message: /^values\/production\.yaml: redis\.sentinel\.extraConfig sets a directive the chart manages .*\(use redis\.sentinel\.\* for the failover timings\)$/,
  },
  {
    name: 'an S3 upload without a bucket is refused',
    values: { maintenance: { backup: { s3: { enabled: true } } } },
    message: `${FILE}: maintenance.backup.s3.bucket is empty but maintenance.backup.s3.enabled is true; name the existing bucket the backups are copied to`,
  },
  {
    name: 'an S3 upload without the backup it would copy is refused',
    values: { maintenance: { backup: { enabled: false, s3: { enabled: true, bucket: 'backups' } } } },
    message: `${FILE}: maintenance.backup.s3.enabled is true but maintenance.backup.enabled is false; the upload copies what the backup Job takes: enable the backup or set maintenance.backup.s3.enabled: false`,
  },
  {
    name: 'a plain-HTTP S3 endpoint is refused while TLS is on',
    values: { tls: { enabled: true }, maintenance: { backup: { s3: { enabled: true, bucket: 'backups', endpoint: 'http://minio.storage.svc:9000' } } } },
    message: `${FILE}: maintenance.backup.s3.endpoint is http://minio.storage.svc:9000, plain HTTP while tls.enabled is true: every session in the backup would cross the network unencrypted; use the https:// endpoint of the store`,
  },
  {
    name: 'an S3 bucket name with capitals is refused',
    values: { maintenance: { backup: { s3: { enabled: true, bucket: 'My_Backups' } } } },
    message: `${FILE}: maintenance.backup.s3.bucket is "My_Backups" but must be an S3 bucket name: 3-63 lower-case letters, digits, "." and "-"`,
  },
  {
    name: 'zero replicas are refused',
    values: { redis: { replicas: 0 } },
    message: `${FILE}: redis.replicas is 0 but must be at least 1; raise it`,
  },
  {
    name: 'negative replicas are refused',
    values: { redis: { sentinel: { replicas: -1 } } },
    message: `${FILE}: redis.sentinel.replicas is -1 but must be at least 1; raise it`,
  },
  {
    name: 'an even number of sentinels is refused in sentinel mode',
    values: { redis: { sentinel: { replicas: 4, quorum: 3 } } },
    message: `${FILE}: redis.sentinel.replicas is 4, an even number of sentinels adds no fault tolerance and can tie; use an odd number such as 3 or 5`,
  },
  {
    name: 'fewer than three sentinels are refused in sentinel mode',
    values: { redis: { sentinel: { replicas: 1, quorum: 1 } } },
    message: `${FILE}: redis.sentinel.replicas is 1 but sentinel mode needs at least 3 sentinels; set it to 3 or 5`,
  },
  {
    name: 'a quorum above the number of sentinels is refused',
    values: { redis: { sentinel: { quorum: 4 } } },
    message: `${FILE}: redis.sentinel.quorum is 4 but there are only 3 sentinels; set quorum to a majority of them (e.g. 2 of 3)`,
  },
  {
    name: 'a quorum below a majority is refused',
    values: { redis: { sentinel: { quorum: 1 } } },
    message: `${FILE}: redis.sentinel.quorum is 1, less than a majority of 3 sentinels, so a minority could start a failover; set it to at least a majority (2 of 3, 3 of 5)`,
  },
  {
    name: 'a bad Kubernetes quantity is refused',
    values: { redis: { persistence: { size: '4gb' } } },
    message: `${FILE}: redis.persistence.size is "4gb" but must be a Kubernetes quantity such as 500m, 2, 256Mi or 8Gi`,
  },
  {
    name: 'a bad memory request is refused',
    values: { redis: { resources: { requests: { memory: '1 GB' } } } },
    message: `${FILE}: redis.resources.requests.memory is "1 GB" but must be a Kubernetes quantity such as 500m, 2, 256Mi or 8Gi`,
  },
  {
    name: 'a bad cron schedule is refused',
    values: { maintenance: { backup: { schedule: 'every day' } } },
    message: `${FILE}: maintenance.backup.schedule is "every day" but must be a five-field cron expression such as "*/5 * * * *" or a macro such as @hourly`,
  },
  {
    name: 'a cron schedule with six fields is refused',
    values: { maintenance: { sessionCleanup: { schedule: '0 */5 * * * *' } } },
    message: /maintenance\.sessionCleanup\.schedule is "0 \*\/5 \* \* \* \*" but must be a five-field cron expression/,
  },
  {
    name: 'an unknown maxmemory-policy lists the allowed ones',
    values: { redis: { master: { maxmemoryPolicy: 'lru' } } },
    message: `${FILE}: redis.master.maxmemoryPolicy is "lru" but must be one of noeviction, allkeys-lru, allkeys-lfu, allkeys-random, volatile-lru, volatile-lfu, volatile-random, volatile-ttl`,
  },
  {
    name: 'a session TTL of zero is refused',
    values: { sessions: { ttlSeconds: 0 } },
    message: `${FILE}: sessions.ttlSeconds is 0 but must be greater than 0; raise it`,
  },
  {
    name: 'a negative cache TTL is refused',
    values: { cache: { defaultTtlSeconds: -5 } },
    message: `${FILE}: cache.defaultTtlSeconds is -5 but must be greater than 0; raise it`,
  },
  {
    name: 'a sessions DB index beyond the database count is refused',
    values: { redis: { databases: { sessions: 16 } } },
    message: `${FILE}: redis.databases.sessions is 16 but only databases 0..16 exist (count is exclusive); pick an index below redis.databases.count`,
  },
  {
    name: 'the cache sharing the sessions DB is refused',
    values: { redis: { databases: { cache: 0 } } },
    message: `${FILE}: redis.databases.cache is 0, the same database as redis.databases.sessions; give the cache its own database (e.g. 1)`,
  },
  {
    name: 'standalone mode with several nodes is refused',
    values: { redis: { mode: 'standalone', replicas: 3 } },
    message: `${FILE}: redis.replicas is 3 but standalone mode runs exactly one Redis node; set it to 1 or use redis.mode: sentinel`,
  },
  {
    name: 'a label key Kubernetes refuses names the key',
    values: { labels: { 'Bad Key!': 'x' } },
    message: `${FILE}: labels has the key "Bad Key!", which is not a Kubernetes label key; rename it (e.g. team or example.com/team)`,
    helm: /invalid propertyName 'Bad Key!'|Bad Key!/,
  },
  {
    name: 'a bare off (a YAML boolean) where a word is expected says to quote it',
    values: { monitoring: { mode: false } },
    message: `${FILE}: monitoring.mode is false but must be one of operator, standalone, off; write it in quotes ("off"): YAML reads a bare off as false`,
  },
  {
    name: 'an unknown redis mode lists the modes',
    values: { redis: { mode: 'cluster' } },
    message: `${FILE}: redis.mode is "cluster" but must be one of standalone, sentinel`,
  },
  {
    name: 'min-replicas-to-write that no master can meet is refused',
    values: { redis: { minReplicasToWrite: 3 } },
    message: `${FILE}: redis.minReplicasToWrite is 3 but only 3 Redis nodes exist (one is the master), so the master would refuse every write; set it below redis.replicas`,
  },
  {
    name: "commonLabels that would change one of the chart's own labels are refused",
    values: { commonLabels: { 'app.kubernetes.io/name': 'foo' } },
    message: `${FILE}: commonLabels sets one of the chart's own labels (app.kubernetes.io/name, app.kubernetes.io/instance, app.kubernetes.io/component, app.kubernetes.io/part-of, app.kubernetes.io/version, app.kubernetes.io/managed-by), which name and select its objects and cannot be changed; remove that key, or use another label key`,
  },
  {
    name: "the deprecated labels map may not set the chart's own labels either (it used to be silently ignored)",
    values: { labels: { 'app.kubernetes.io/instance': 'other' } },
    message: /^values\/production\.yaml: labels sets one of the chart's own labels \(/,
  },
  {
    name: 'pod labels that would break the selectors are refused',
    values: { redis: { sentinel: { podLabels: { 'app.kubernetes.io/component': 'redis' } } } },
    message: /^values\/production\.yaml: redis\.sentinel\.podLabels sets one of the chart's own labels \(/,
  },
  {
    name: 'a fullnameOverride too long for the generated names is refused',
    values: { fullnameOverride: 'a'.repeat(37) },
    message: /^values\/production\.yaml: fullnameOverride is "a{37}" but must be at most 36 characters/,
  },
  {
    name: 'an unknown access mode lists the modes',
    values: { redis: { persistence: { accessModes: ['ReadWriteAll'] } } },
    message: /^values\/production\.yaml: redis\.persistence\.accessModes\.0 is "ReadWriteAll" but must be one of ReadWriteOnce, ReadWriteOncePod, ReadWriteMany, ReadOnlyMany/,
  },
  {
    name: 'a maxmemory above the memory limit (an OOM kill) is refused, naming both',
    values: { redis: { master: { maxmemory: '1gb' } } },
    message: `${FILE}: redis.master.maxmemory is 1gb, more than the Redis container's memory limit redis.resources.limits.memory (512Mi), so the kernel would kill Redis (OOM) before maxmemory applies; lower maxmemory (about 75% of the limit leaves room for replication buffers and forks) or raise the limit`,
  },
  {
    name: 'a replica maxmemory above a decimal memory limit is refused (k = 1000 bytes in Redis, G = 10^9 in Kubernetes)',
    values: { redis: { resources: { limits: { memory: '2G' } }, master: { maxmemory: '1gb' }, replica: { maxmemory: '2000001k' } } },
    message: /^values\/production\.yaml: redis\.replica\.maxmemory is 2000001k, more than the Redis container's memory limit redis\.resources\.limits\.memory \(2G\)/,
  },
  {
    name: 'a node port on a ClusterIP Service is refused',
    values: { redis: { service: { nodePorts: { redis: 30079 } } } },
    message: `${FILE}: redis.service.nodePorts.redis is 30079 but redis.service.type is ClusterIP, which opens no node port; set redis.service.type: NodePort (or LoadBalancer), or remove the node port`,
  },
  {
    name: 'externalTrafficPolicy on a ClusterIP Service is refused',
    values: { infinispan: { service: { externalTrafficPolicy: 'Local' } } },
    message: `${FILE}: infinispan.service.externalTrafficPolicy is Local but infinispan.service.type is ClusterIP, which has no external traffic; set infinispan.service.type: NodePort or LoadBalancer, or remove externalTrafficPolicy`,
  },
  {
    name: 'loadBalancerSourceRanges without a load balancer are refused',
    values: { monitoring: { standalone: { grafana: { service: { type: 'NodePort', loadBalancerSourceRanges: ['10.0.0.0/8'] } } } } },
    message: `${FILE}: monitoring.standalone.grafana.service.loadBalancerSourceRanges is set but monitoring.standalone.grafana.service.type is NodePort, which makes no load balancer to restrict (Kubernetes refuses it); set monitoring.standalone.grafana.service.type: LoadBalancer, or remove loadBalancerSourceRanges`,
  },
  {
    name: 'Service labels that would take over the pod selector are refused',
    values: { redis: { sentinel: { service: { labels: { 'app.kubernetes.io/component': 'redis' } } } } },
    message: `${FILE}: redis.sentinel.service.labels sets app.kubernetes.io/component, one of the labels that select the pods (app.kubernetes.io/name, instance, component); remove it from redis.sentinel.service.labels (extra labels such as team: sessions are fine)`,
  },
  {
    name: 'a Service type Kubernetes does not have lists the types',
    values: { redis: { service: { type: 'ExternalName' } } },
    message: `${FILE}: redis.service.type is "ExternalName" but must be one of ClusterIP, NodePort, LoadBalancer`,
  },
  {
    name: 'disabling an alert the chart does not have lists the alerts',
    values: { monitoring: { alerts: { disabled: ['RedisMemoryHgh'] } } },
    message: /^values\/production\.yaml: monitoring\.alerts\.disabled\.0 is "RedisMemoryHgh" but must be one of RedisDown, RedisNoMaster, .*RedisMemoryHigh, /,
  },
  {
    name: 'one extra ACL user named twice is refused (Redis would not load the ACL file)',
    values: { auth: { extraUsers: [{ name: 'reports', passwordKey: 'reports-password', rules: '~reports:* +get' }, { name: 'reports', passwordKey: 'other-password', rules: '~reports:* +set' }] } },
    message: `${FILE}: auth.extraUsers names one user twice, and Redis refuses an ACL file with a duplicate user (the Redis pods would not start); give each extra user a name of its own`,
  },
];

export const withBase = (values: unknown) => mergeDeep(BASE, values);
