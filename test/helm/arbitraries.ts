import fc from 'fast-check';

const quantity = (units: string[], max: number) =>
  fc.tuple(fc.integer({ min: 1, max }), fc.constantFrom(...units)).map(([n, u]) => `${n}${u}`);
const cpu = fc.oneof(quantity(['m'], 4000), fc.integer({ min: 1, max: 8 }).map(String));
const memory = quantity(['Mi', 'Gi'], 64);
const resources = fc.record({
  requests: fc.record({ cpu, memory }, { requiredKeys: [] }),
  limits: fc.record({ cpu, memory }, { requiredKeys: [] }),
}, { requiredKeys: [] });
const persistence = fc.record({
  enabled: fc.boolean(),
  size: quantity(['Gi', 'Mi'], 500),
  storageClass: fc.constantFrom('', 'fast-ssd', 'standard'),
}, { requiredKeys: [] });
const toggle = fc.record({ enabled: fc.boolean() }, { requiredKeys: [] });
const label = fc.stringMatching(/^[a-z][a-z0-9-]{0,10}[a-z0-9]$/);

/** Sentinel counts with a valid quorum (a majority, at most all of them). */
const sentinels = fc.constantFrom(3, 5, 7).chain((replicas) =>
  fc.integer({ min: Math.floor(replicas / 2) + 1, max: replicas - 1 }).map((quorum) => ({ replicas, quorum })),
);

const sentinelRedis = fc.record({
  mode: fc.constant('sentinel'),
  replicas: fc.integer({ min: 2, max: 7 }),
  resources,
  persistence,
  podDisruptionBudget: toggle,
  topologySpread: fc.record({ enabled: fc.boolean(), whenUnsatisfiable: fc.constantFrom('DoNotSchedule', 'ScheduleAnyway') }, { requiredKeys: [] }),
  master: fc.record({ maxmemory: quantity(['mb', 'gb'], 16), maxmemoryPolicy: fc.constantFrom('noeviction', 'volatile-lru', 'allkeys-lru') }, { requiredKeys: [] }),
  sentinel: sentinels.chain((s) =>
    fc.record({
      replicas: fc.constant(s.replicas),
      quorum: fc.constant(s.quorum),
      downAfterMilliseconds: fc.integer({ min: 1000, max: 60000 }),
      failoverTimeout: fc.integer({ min: 10000, max: 600000 }),
      persistence,
      podDisruptionBudget: fc.constant({ enabled: true, maxUnavailable: Math.max(1, s.replicas - s.quorum) }),
    }),
  ),
}, { requiredKeys: ['mode', 'replicas', 'sentinel'] });

const standaloneRedis = fc.record({
  mode: fc.constant('standalone'),
  replicas: fc.constant(1),
  resources,
  persistence,
  podDisruptionBudget: toggle,
  timeout: fc.integer({ min: 0, max: 3600 }),
}, { requiredKeys: ['mode', 'replicas'] });

/** Valid value sets: random replica counts, resources, toggles, TTLs, sizes, labels. */
export const validValues = fc.record({
  namespace: fc.record({ name: fc.constantFrom('session-store', 'sessions-test', 'default') }),
  fullnameOverride: fc.constantFrom('', 'sessions', 'store-a'),
  labels: fc.dictionary(label, label, { maxKeys: 3 }),
  redis: fc.oneof(sentinelRedis, standaloneRedis).map((redis: any) => {
    // min-replicas-to-write must stay below the node count in sentinel mode.
    if (redis.mode === 'sentinel') redis.minReplicasToWrite = Math.min(1, redis.replicas - 1);
    return redis;
  }),
  sessions: fc.record({
    ttlSeconds: fc.integer({ min: 1, max: 10_000_000 }),
    refreshTokenTtlSeconds: fc.integer({ min: 1, max: 100_000_000 }),
    maxSessionsPerUser: fc.integer({ min: 1, max: 100 }),
    keyPrefix: fc.constantFrom('session:', 'sess:', 'app-sessions:'),
  }, { requiredKeys: [] }),
  cache: fc.record({ defaultTtlSeconds: fc.integer({ min: 1, max: 10_000_000 }), maxEntriesPerService: fc.integer({ min: 1, max: 2_000_000 }) }, { requiredKeys: [] }),
  auth: fc.record({ existingSecret: fc.constantFrom('session-database-auth', 'redis-passwords') }),
  networkPolicy: fc.record({
    enabled: fc.boolean(),
    clients: fc.constantFrom({}, { podSelector: { app: 'web' } }, { namespaceSelector: { team: 'shop' } }),
  }),
  // Every feature toggle, so each structural choice is rendered both ways.
  tls: fc.record({ enabled: fc.boolean(), issuerRef: fc.constantFrom({ name: '' }, { name: 'corp-ca', kind: 'ClusterIssuer' }) }),
  monitoring: fc.constantFrom(
    { mode: 'off' },
    { mode: 'operator' },
    { mode: 'standalone', standalone: { grafana: { adminSecret: 'grafana-admin' } } },
  ),
  infinispan: fc.record({ enabled: fc.boolean(), replicas: fc.integer({ min: 2, max: 4 }) }),
  maintenance: fc.record({
    sessionCleanup: fc.record({ enabled: fc.boolean(), batchSize: fc.integer({ min: 1, max: 1000 }) }),
    cacheCleanup: fc.record({ enabled: fc.boolean() }),
    backup: fc.record({ enabled: fc.boolean(), keep: fc.integer({ min: 1, max: 30 }) }),
  }),
}, { requiredKeys: ['namespace', 'redis', 'auth', 'networkPolicy', 'tls', 'monitoring', 'infinispan', 'maintenance'] }).map((values: any) => {
  // The HPA exists in sentinel mode only; its ceiling must reach the node count.
  if (values.redis.mode === 'sentinel') values.redis.autoscaling = { enabled: values.redis.replicas % 2 === 0, maxReplicas: values.redis.replicas + 2 };
  return values;
});
