/**
 * How the values generator satisfies the cross-key rules of src/config/rules.ts: one repair per rule
 * path. A generated set that breaks a rule is changed as little as possible (clamped, wrapped with a
 * modulo, or given the missing companion value) rather than thrown away, so fast-check never runs out
 * of sets and the repaired keys keep varying. A rule without a repair fails the generator by name.
 */
import { chartValues } from '../../src/config/coalesce';
import { byteCount, evaluate, lookup } from '../../src/config/expr';
import { CHART_LABEL_KEYS, EXTRA_LABEL_MAPS, brokenRules, rules } from '../../src/config/rules';
import { Config, configSchema } from '../../src/config/schema';
import { SELECTOR_LABEL_KEYS, SERVICES, ServicePath } from '../../src/config/sections/service';

const WEAKENING = rules.find((r) => r.path === 'auth.extraUsers' && /weaken/.test(r.message))!;

type Assign = (path: string, value: unknown) => void;
type Repair = (config: Config, set: Assign) => void;

/** Wrap n into lo..hi (keeps a random value random, unlike clamping everything to one bound). */
const wrap = (n: number, lo: number, hi: number) => lo + (((n - lo) % (hi - lo + 1)) + (hi - lo + 1)) % (hi - lo + 1);

const databases: Repair = (c, set) => {
  const { count } = c.redis.databases;
  const sessions = c.redis.databases.sessions % count;
  let cache = c.redis.databases.cache % count;
  if (cache === sessions) cache = (cache + 1) % count;
  set('redis.databases.sessions', sessions);
  set('redis.databases.cache', cache);
};

/** Extra label maps lose the chart's own keys. */
const withoutChartLabels = (path: string): Repair => (c, set) => {
  const map = path.split('.').reduce<any>((o, k) => o?.[k], c) as Record<string, string>;
  set(path, Object.fromEntries(Object.entries(map).filter(([k]) => !(CHART_LABEL_KEYS as readonly string[]).includes(k))));
};

/** maxmemory becomes a wrapped share of the memory limit (below it, in whole megabytes, at least 1mb). */
const maxmemoryWithinLimit = (role: 'master' | 'replica'): Repair => (c, set) => {
  const limitMb = Math.floor(byteCount('kubernetes', c.redis.resources.limits.memory) / 1024 ** 2);
  const wanted = Math.floor(byteCount('redis', c.redis[role].maxmemory) / 1024 ** 2);
  set(`redis.${role}.maxmemory`, `${limitMb < 1 ? 0 : wrap(wanted, 1, limitMb)}mb`);
};
/**
 * The Service rules: one repair makes the whole Service consistent (six Services would otherwise take
 * more rounds than repairValues allows). Settings of another type either go or get that type, by the
 * parity of the values, so ClusterIP, NodePort and LoadBalancer all stay reachable; selector labels go.
 */
const serviceRepair = (path: ServicePath): Repair => (c, set) => {
  const v = lookup(c, path) as Config['redis']['service'];
  const ports = Object.values(v.nodePorts) as number[];
  const exposed = ports.some((p) => p > 0) || v.externalTrafficPolicy !== '';
  const flip = (ports.reduce((a, b) => a + b, 0) + v.loadBalancerSourceRanges.length + v.externalTrafficPolicy.length) % 2 === 0;
  let type = v.type;
  if (type === 'ClusterIP' && (exposed || v.loadBalancerSourceRanges.length > 0)) {
    if (flip) type = v.loadBalancerSourceRanges.length > 0 ? 'LoadBalancer' : 'NodePort';
    else {
      for (const port of SERVICES[path] as readonly string[]) set(`${path}.nodePorts.${port}`, 0);
      set(`${path}.externalTrafficPolicy`, '');
      set(`${path}.loadBalancerSourceRanges`, []);
    }
  }
  if (type === 'NodePort' && v.loadBalancerSourceRanges.length > 0) {
    if (flip) type = 'LoadBalancer';
    else set(`${path}.loadBalancerSourceRanges`, []);
  }
  set(`${path}.type`, type);
  const labels = { ...v.labels };
  for (const key of SELECTOR_LABEL_KEYS) delete labels[key];
  set(`${path}.labels`, labels);
};

const serviceRepairs = (path: ServicePath): [string, Repair][] =>
  [...(SERVICES[path] as readonly string[]).map((port) => `${path}.nodePorts.${port}`), `${path}.externalTrafficPolicy`, `${path}.loadBalancerSourceRanges`, `${path}.labels`]
    .map((rule): [string, Repair] => [rule, serviceRepair(path)]);

/** Keyed by the `path` of the rules in src/config/rules.ts. */
export const REPAIRS: Record<string, Repair> = {
  ...Object.fromEntries((Object.keys(SERVICES) as ServicePath[]).flatMap(serviceRepairs)),
  'redis.autoscaling.maxReplicas': (c, set) => set('redis.autoscaling.maxReplicas', Math.max(2, c.redis.replicas + (c.redis.autoscaling.maxReplicas % 3))),
  // Passwords from exactly one place: an ExternalSecret with one store and one remote-key style, or a named Secret.
  'auth.externalSecret.enabled': (_c, set) => set('auth.existingSecret', ''),
  'auth.externalSecret.secretStoreRef.name': (_c, set) => set('auth.externalSecret.secretStoreRef.name', 'vault-backend'),
  'auth.externalSecret.remoteKey': (_c, set) => set('auth.externalSecret.remoteKey', 'session-database'),
  'auth.externalSecret.remoteKeyPrefix': (c, set) => set(c.auth.externalSecret.remoteKey.length % 2 ? 'auth.externalSecret.remoteKey' : 'auth.externalSecret.remoteKeyPrefix', ''),
  'auth.existingSecret': (_c, set) => set('auth.existingSecret', 'session-database-auth'),
  'infinispan.cache.owners': (c, set) => set('infinispan.cache.owners', wrap(c.infinispan.cache.owners, 1, c.infinispan.replicas)),
  // Three rules: not 0, at most the lifespan, and (when set) a passivating file store.
  'infinispan.cache.maxIdleMilliseconds': (c, set) => {
    const { lifespanMilliseconds: lifespan, maxIdleMilliseconds: maxIdle } = c.infinispan.cache;
    if (maxIdle === 0) set('infinispan.cache.maxIdleMilliseconds', -1);
    if (maxIdle > lifespan) {
      set('infinispan.cache.maxIdleMilliseconds', lifespan);
      set('infinispan.cache.lifespanMilliseconds', maxIdle);
    }
    if (maxIdle > 0) set('infinispan.cache.fileStore.passivation', true);
  },
  'infinispan.podDisruptionBudget.maxUnavailable': (c, set) => {
    // A PDB needs owners >= 2 (maxUnavailable >= 1 must stay below owners), and owners <= replicas.
    const owners = Math.max(2, c.infinispan.cache.owners);
    set('infinispan.replicas', Math.max(owners, c.infinispan.replicas));
    set('infinispan.cache.owners', owners);
    set('infinispan.podDisruptionBudget.maxUnavailable', wrap(c.infinispan.podDisruptionBudget.maxUnavailable, 1, owners - 1));
  },
  'tls.issuerRef.name': (_c, set) => set('tls.bootstrapCA', true),
  'redis.sentinel.replicas': (c, set) => {
    const n = Math.max(3, c.redis.sentinel.replicas);
    set('redis.sentinel.replicas', n % 2 ? n : n + 1);
  },
  // A majority that still leaves one sentinel a drain may take (see the PDB rule below).
  'redis.sentinel.quorum': (c, set) => {
    const n = c.redis.sentinel.replicas;
    set('redis.sentinel.quorum', wrap(c.redis.sentinel.quorum, Math.floor(n / 2) + 1, n - 1));
  },
  'redis.replicas': (c, set) => set('redis.replicas', c.redis.mode === 'standalone' ? 1 : Math.max(2, c.redis.replicas)),
  'redis.minReplicasToWrite': (c, set) => set('redis.minReplicasToWrite', c.redis.minReplicasToWrite % c.redis.replicas),
  'redis.databases.cache': databases,
  'redis.master.maxmemory': maxmemoryWithinLimit('master'),
  'redis.replica.maxmemory': maxmemoryWithinLimit('replica'),
  ...Object.fromEntries(EXTRA_LABEL_MAPS.map((path) => [path, withoutChartLabels(path)])),
  // Lines that set a managed directive become comments.
  'redis.extraConfig': (c, set) => set('redis.extraConfig', c.redis.extraConfig.replace(/^/gm, '# ')),
  'redis.sentinel.extraConfig': (c, set) => set('redis.sentinel.extraConfig', c.redis.sentinel.extraConfig.replace(/^/gm, '# ')),
  // Built-in names get a suffix; rules that weaken the ACLs become a harmless grant.
  'auth.extraUsers': (c, set) =>
    set(
      'auth.extraUsers',
      c.auth.extraUsers.map((u, i) => ({
        ...u,
        // Built-in names and names an earlier user has taken get the index as a suffix.
        name: /^(default|app|cache|monitor|cleanup|backup|replication|sentinel)$/.test(u.name) || c.auth.extraUsers.slice(0, i).some((o) => o.name === u.name) ? `${u.name.slice(0, 28)}-x${i}` : u.name,
        rules: evaluate(WEAKENING.require, { auth: { extraUsers: [u] } }) ? u.rules : '~extra:* +get',
      })),
    ),
  'redis.databases.sessions': databases,
  'redis.podDisruptionBudget.maxUnavailable': (c, set) => set('redis.podDisruptionBudget.maxUnavailable', wrap(c.redis.podDisruptionBudget.maxUnavailable, 1, c.redis.replicas - 1)),
  'redis.sentinel.podDisruptionBudget.maxUnavailable': (c, set) => {
    const { replicas, quorum } = c.redis.sentinel;
    if (quorum >= replicas) set('redis.sentinel.quorum', replicas - 1);
    else set('redis.sentinel.podDisruptionBudget.maxUnavailable', wrap(c.redis.sentinel.podDisruptionBudget.maxUnavailable, 1, replicas - quorum));
  },
  'monitoring.standalone.grafana.adminSecret': (_c, set) => set('monitoring.standalone.grafana.adminSecret', 'grafana-admin'),
  'monitoring.standalone.ingress.host': (_c, set) => set('monitoring.standalone.ingress.host', 'grafana.example.com'),
  'maintenance.backup.s3.enabled': (_c, set) => set('maintenance.backup.enabled', true),
  'maintenance.backup.s3.bucket': (_c, set) => set('maintenance.backup.s3.bucket', 'session-backups'),
  'maintenance.backup.s3.endpoint': (c, set) => set('maintenance.backup.s3.endpoint', c.maintenance.backup.s3.endpoint.replace(/^http:/, 'https:')),
  'monitoring.standalone.ingress.tlsSecret': (_c, set) => set('monitoring.standalone.ingress.tlsSecret', 'grafana-tls'),
  'monitoring.alerts.memoryWarningRatio': (c, set) => {
    const { memoryWarningRatio: warning, memoryCriticalRatio: critical } = c.monitoring.alerts;
    if (warning === critical) {
      if (critical >= 0.002) set('monitoring.alerts.memoryWarningRatio', Math.max(0.001, Math.floor(critical * 500) / 1000));
      else set('monitoring.alerts.memoryCriticalRatio', 0.002);
    } else {
      set('monitoring.alerts.memoryWarningRatio', critical);
      set('monitoring.alerts.memoryCriticalRatio', warning);
    }
  },
};

function setAt(values: any, path: string, value: unknown): void {
  const keys = path.split('.');
  let node = values;
  for (const key of keys.slice(0, -1)) node = node[key] ??= {};
  node[keys[keys.length - 1]] = value;
}

/** Apply repairs (to the input values, in place) until no cross-key rule is broken. */
export function repairValues<T extends object>(values: T): T {
  const trail: string[] = [];
  // One repair per round; a random set can break more than twenty rules at once.
  for (let round = 0; round < 60; round++) {
    // As the loader and Helm see them: the chart's defaults coalesced in (a limits map keeps its default memory).
    const parsed = configSchema.safeParse(chartValues(values));
    if (!parsed.success) throw new Error(`generated values fail the schema: ${parsed.error.message}\n${JSON.stringify(values)}`);
    const [broken] = brokenRules(parsed.data);
    if (!broken) return values;
    trail.push(broken.path);
    const repair = REPAIRS[broken.path];
    if (!repair) throw new Error(`the values generator has no repair for the rule on ${broken.path}; add one to REPAIRS in test/helm/values-repairs.ts`);
    repair(parsed.data, (path, value) => setAt(values, path, value));
  }
  const parsed = configSchema.safeParse(chartValues(values));
  const left = parsed.success ? brokenRules(parsed.data).map((r) => r.path) : ['(schema)'];
  throw new Error(`repairs did not converge (repaired in turn: ${trail.join(', ')}; still broken: ${left.join(', ')}) for ${JSON.stringify(values)}`);
}
