import { ConfigPath, Operand, Pred, add, all, any, at, bytes, count, distinctCount, div, eq, evaluate, filled, ge, goPath, hasAnyKey, hasKey, jsonMatches, le, lookup, lt, matches, mod, ne, not, sub, toGo, truthy } from './expr';
import { sentinelMode, tlsOn } from './predicates';
import { SELECTOR_LABEL_KEYS, SERVICES, ServicePath } from './sections/service';

/**
 * Checks that span several keys (the schema checks single keys). Each rule is
 * evaluated by the TypeScript loader and compiled into the chart's
 * `session-database.validate` template, so `helm install` refuses the same input
 * with the same words.
 */
export interface Rule {
  /** The key the message is about. */
  readonly path: string;
  /** The rule only applies when this holds. */
  readonly when?: Pred;
  /** What must hold. */
  readonly require: Pred;
  /** Message after "<file>: ". `{a.b}` is replaced by the value at that path. */
  readonly message: string;
  /** Only for dist/ (the loader); the chart handles the case itself and gets no `fail` for it. */
  readonly staticOnly?: boolean;
}

/** Directives of redis.conf that the chart owns: ACLs, credentials, addresses, files, modules, TLS. */
const MANAGED_REDIS_DIRECTIVES =
  '^[ \\t]*(user|aclfile|requirepass|masteruser|masterauth|rename-command|bind|port|dir|include|loadmodule|protected-mode|enable-debug-command|enable-module-command|enable-protected-configs|tls-[a-z-]+)([ \\t]|$)';

/**
 * Directives of sentinel.conf that the chart owns: the ACLs, credentials, addresses and files as for Redis,
 * the monitored master and its values-driven settings, and scripts (sentinel runs them as itself).
 */
const MANAGED_SENTINEL_DIRECTIVES =
  '^[ \\t]*(user|aclfile|requirepass|masteruser|masterauth|rename-command|bind|port|dir|include|loadmodule|protected-mode|daemonize|logfile|tls-[a-z-]+|sentinel[ \\t]+(monitor|auth-pass|auth-user|sentinel-user|sentinel-pass|announce-[a-z]+|resolve-hostnames|deny-scripts-reconfig|notification-script|client-reconfig-script|myid|known-[a-z]+|[a-z]+-epoch|down-after-milliseconds|failover-timeout|parallel-syncs|rename-command))([ \\t]|$)';

const sentinels = at('redis.sentinel.replicas');
const s3Upload = truthy('maintenance.backup.s3.enabled');

/** Where the passwords come from. */
const externalSecret = truthy('auth.externalSecret.enabled');
const securityRules: Rule[] = [
  {
    path: 'auth.externalSecret.enabled',
    when: externalSecret,
    require: not(truthy('auth.existingSecret')),
    message: 'auth.externalSecret.enabled is true and auth.existingSecret is {auth.existingSecret}: the passwords must come from one place; remove auth.existingSecret or set auth.externalSecret.enabled: false',
  },
  {
    path: 'auth.externalSecret.secretStoreRef.name',
    when: externalSecret,
    require: truthy('auth.externalSecret.secretStoreRef.name'),
    message: 'auth.externalSecret.secretStoreRef.name is empty but auth.externalSecret.enabled is true; name the SecretStore (or ClusterSecretStore, with secretStoreRef.kind) that holds the passwords',
  },
  {
    path: 'auth.externalSecret.remoteKey',
    when: externalSecret,
    require: any(truthy('auth.externalSecret.remoteKey'), truthy('auth.externalSecret.remoteKeyPrefix')),
    message: 'auth.externalSecret.remoteKey and auth.externalSecret.remoteKeyPrefix are both empty; set remoteKey (one remote secret with a property per password) or remoteKeyPrefix (one remote secret per password)',
  },
  {
    path: 'auth.externalSecret.remoteKeyPrefix',
    when: externalSecret,
    require: not(all(truthy('auth.externalSecret.remoteKey'), truthy('auth.externalSecret.remoteKeyPrefix'))),
    message: 'auth.externalSecret.remoteKeyPrefix is {auth.externalSecret.remoteKeyPrefix} and auth.externalSecret.remoteKey is {auth.externalSecret.remoteKey}; set only one of them',
  },
  {
    path: 'auth.extraUsers',
    require: not(jsonMatches('auth.extraUsers', '"name":"(default|app|cache|monitor|cleanup|backup|replication|sentinel)"')),
    message: 'auth.extraUsers names a built-in ACL user (default, app, cache, monitor, cleanup, backup, replication or sentinel), whose rules the chart owns; give the extra user a name of its own (e.g. reports)',
  },
  {
    path: 'auth.extraUsers',
    require: not(jsonMatches('auth.extraUsers', '"rules":"([^"]* )?(nopass|reset|resetpass|resetkeys|allcommands|allkeys|allchannels|\\+@all|\\+@dangerous|\\+@admin|(~|%[rw]+~)\\*|[^" ]*%password[^" ]*)( [^"]*)?"', { ignoreCase: true })),
    message: 'auth.extraUsers has rules that would weaken the ACLs (nopass, reset, resetpass, resetkeys, allcommands, +@all, +@dangerous, +@admin, allkeys, ~*, allchannels or a %PASSWORD marker); grant the key patterns and commands the user needs, e.g. "~reports:* +@read +ping"',
  },
  {
    path: 'auth.extraUsers',
    require: eq(distinctCount(at('auth.extraUsers'), 'name'), count(at('auth.extraUsers'))),
    message: 'auth.extraUsers names one user twice, and Redis refuses an ACL file with a duplicate user (the Redis pods would not start); give each extra user a name of its own',
  },
  {
    path: 'auth.existingSecret',
    staticOnly: true,
    require: any(truthy('auth.existingSecret'), externalSecret),
    message: 'auth.existingSecret is empty and auth.externalSecret.enabled is false, so the static manifests would have no passwords (only the Helm chart generates them, and dist/ never holds Secret data); set auth.existingSecret to a Secret with the <user>-password keys, or configure auth.externalSecret',
  },
];

/** Infinispan: only checked when the cluster is enabled. */
const infinispanOn = truthy('infinispan.enabled');
const infinispanRules: Rule[] = [
  {
    path: 'infinispan.cache.owners',
    when: infinispanOn,
    require: le(at('infinispan.cache.owners'), at('infinispan.replicas')),
    message: 'infinispan.cache.owners is {infinispan.cache.owners} but only {infinispan.replicas} Infinispan servers run (infinispan.replicas), so the cache cannot keep that many copies; lower infinispan.cache.owners or raise infinispan.replicas',
  },
  {
    path: 'infinispan.cache.maxIdleMilliseconds',
    when: infinispanOn,
    require: le(at('infinispan.cache.maxIdleMilliseconds'), at('infinispan.cache.lifespanMilliseconds')),
    message: 'infinispan.cache.maxIdleMilliseconds is {infinispan.cache.maxIdleMilliseconds}, longer than infinispan.cache.lifespanMilliseconds ({infinispan.cache.lifespanMilliseconds}), so the idle limit could never apply; set maxIdleMilliseconds at most lifespanMilliseconds (e.g. 1800000 with 3600000)',
  },
  {
    path: 'infinispan.podDisruptionBudget.maxUnavailable',
    when: all(infinispanOn, truthy('infinispan.podDisruptionBudget.enabled')),
    require: lt(at('infinispan.podDisruptionBudget.maxUnavailable'), at('infinispan.cache.owners')),
    message: 'infinispan.podDisruptionBudget.maxUnavailable is {infinispan.podDisruptionBudget.maxUnavailable} but every session has only {infinispan.cache.owners} copies (infinispan.cache.owners), so a drain could take all copies of some sessions at once; set maxUnavailable below owners (1 is safest)',
  },
];

/**
 * The chart's own labels select its pods and tell tools what an object is; a map of extra labels that
 * set one would be silently overridden (objects) or break the selectors (pods), so it is refused.
 */
export const CHART_LABEL_KEYS = [
  'app.kubernetes.io/name', 'app.kubernetes.io/instance', 'app.kubernetes.io/component',
  'app.kubernetes.io/part-of', 'app.kubernetes.io/version', 'app.kubernetes.io/managed-by',
] as const;
export const EXTRA_LABEL_MAPS: readonly ConfigPath[] = [
  'commonLabels', 'labels',
  'redis.podLabels', 'redis.sentinel.podLabels', 'redis.masterEndpoint.podLabels', 'maintenance.podLabels', 'infinispan.podLabels',
  'monitoring.standalone.prometheus.podLabels', 'monitoring.standalone.alertmanager.podLabels', 'monitoring.standalone.grafana.podLabels',
];
const labelRules: readonly Rule[] = EXTRA_LABEL_MAPS.map((path) => ({
  path,
  require: not(hasAnyKey(path, CHART_LABEL_KEYS)),
  message: `${path} sets one of the chart's own labels (${CHART_LABEL_KEYS.join(', ')}), which name and select its objects and cannot be changed; remove that key, or use another label key`,
}));

/**
 * Redis must stay below its container's memory limit: above it the kernel kills Redis (OOM) before
 * maxmemory ever evicts or refuses a write. Checked only when a memory limit is set.
 */
const memoryLimit = at('redis.resources.limits.memory' as ConfigPath);
const memoryRules: readonly Rule[] = (['master', 'replica'] as const).map((role) => ({
  path: `redis.${role}.maxmemory`,
  when: role === 'replica' ? all(sentinelMode, filled(memoryLimit)) : filled(memoryLimit),
  require: le(bytes('redis', at(`redis.${role}.maxmemory`)), bytes('kubernetes', memoryLimit as Operand<string>)),
  message: `redis.${role}.maxmemory is {redis.${role}.maxmemory}, more than the Redis container's memory limit redis.resources.limits.memory ({redis.resources.limits.memory}), so the kernel would kill Redis (OOM) before maxmemory applies; lower maxmemory (about 75% of the limit leaves room for replication buffers and forks) or raise the limit`,
}));

/** TLS needs someone to sign the certificates. */
const tlsRules: readonly Rule[] = [
  {
    path: 'tls.issuerRef.name',
    when: truthy('tls.enabled'),
    require: any(truthy('tls.issuerRef.name'), truthy('tls.bootstrapCA')),
    message: 'tls.issuerRef.name is empty and tls.bootstrapCA is false, so nothing would sign the TLS certificates; name an existing cert-manager Issuer/ClusterIssuer or set tls.bootstrapCA: true',
  },
];

/**
 * Services (src/config/sections/service.ts): settings Kubernetes ignores or refuses for the type, and
 * labels that would take over the pod selector's.
 */
function serviceRules(path: ServicePath): Rule[] {
  const k = (name: string) => `${path}.${name}` as ConfigPath;
  const type = at(k('type'));
  const clusterIP = eq(type as never, 'ClusterIP' as never);
  return [
    ...(SERVICES[path] as readonly string[]).map((port) => ({
      path: k(`nodePorts.${port}`),
      when: clusterIP,
      require: not(truthy(k(`nodePorts.${port}`))),
      message: `${path}.nodePorts.${port} is {${path}.nodePorts.${port}} but ${path}.type is ClusterIP, which opens no node port; set ${path}.type: NodePort (or LoadBalancer), or remove the node port`,
    })),
    {
      path: k('externalTrafficPolicy'),
      when: clusterIP,
      require: not(truthy(k('externalTrafficPolicy'))),
      message: `${path}.externalTrafficPolicy is {${path}.externalTrafficPolicy} but ${path}.type is ClusterIP, which has no external traffic; set ${path}.type: NodePort or LoadBalancer, or remove externalTrafficPolicy`,
    },
    {
      path: k('loadBalancerSourceRanges'),
      when: ne(type as never, 'LoadBalancer' as never),
      require: not(truthy(k('loadBalancerSourceRanges'))),
      message: `${path}.loadBalancerSourceRanges is set but ${path}.type is {${path}.type}, which makes no load balancer to restrict (Kubernetes refuses it); set ${path}.type: LoadBalancer, or remove loadBalancerSourceRanges`,
    },
    ...SELECTOR_LABEL_KEYS.map((label) => ({
      path: k('labels'),
      require: not(hasKey(k('labels'), label)),
      message: `${path}.labels sets ${label}, one of the labels that select the pods (app.kubernetes.io/name, instance, component); remove it from ${path}.labels (extra labels such as team: sessions are fine)`,
    })),
  ];
}

export const rules: readonly Rule[] = [
  ...(Object.keys(SERVICES) as ServicePath[]).flatMap(serviceRules),
  {
    path: 'redis.autoscaling.maxReplicas',
    when: all(sentinelMode, truthy('redis.autoscaling.enabled')),
    require: ge(at('redis.autoscaling.maxReplicas'), at('redis.replicas')),
    message: 'redis.autoscaling.maxReplicas is {redis.autoscaling.maxReplicas}, below redis.replicas ({redis.replicas}), the least the autoscaler keeps; set maxReplicas to at least redis.replicas',
  },
  ...securityRules,
  ...infinispanRules,
  ...tlsRules,
  ...labelRules,
  ...memoryRules,
  {
    path: 'redis.sentinel.replicas',
    when: sentinelMode,
    require: ge(sentinels, 3),
    message: 'redis.sentinel.replicas is {redis.sentinel.replicas} but sentinel mode needs at least 3 sentinels; set it to 3 or 5',
  },
  {
    path: 'redis.sentinel.replicas',
    when: sentinelMode,
    require: eq(mod(sentinels, 2), 1),
    message: 'redis.sentinel.replicas is {redis.sentinel.replicas}, an even number of sentinels adds no fault tolerance and can tie; use an odd number such as 3 or 5',
  },
  {
    path: 'redis.sentinel.quorum',
    when: sentinelMode,
    require: le(at('redis.sentinel.quorum'), sentinels),
    message: 'redis.sentinel.quorum is {redis.sentinel.quorum} but there are only {redis.sentinel.replicas} sentinels; set quorum to a majority of them (e.g. 2 of 3)',
  },
  {
    path: 'redis.sentinel.quorum',
    when: sentinelMode,
    require: ge(at('redis.sentinel.quorum'), add(div(sentinels, 2), 1)),
    message: 'redis.sentinel.quorum is {redis.sentinel.quorum}, less than a majority of {redis.sentinel.replicas} sentinels, so a minority could start a failover; set it to at least a majority (2 of 3, 3 of 5)',
  },
  {
    path: 'redis.replicas',
    when: sentinelMode,
    require: ge(at('redis.replicas'), 2),
    message: 'redis.replicas is {redis.replicas} but sentinel mode needs a master and at least one replica; set it to 3 (or use redis.mode: standalone)',
  },
  {
    path: 'redis.replicas',
    when: eq(at('redis.mode'), 'standalone'),
    require: eq(at('redis.replicas'), 1),
    message: 'redis.replicas is {redis.replicas} but standalone mode runs exactly one Redis node; set it to 1 or use redis.mode: sentinel',
  },
  {
    path: 'redis.minReplicasToWrite',
    when: sentinelMode,
    require: lt(at('redis.minReplicasToWrite'), at('redis.replicas')),
    message: 'redis.minReplicasToWrite is {redis.minReplicasToWrite} but only {redis.replicas} Redis nodes exist (one is the master), so the master would refuse every write; set it below redis.replicas',
  },
  {
    path: 'redis.databases.cache',
    require: ne(at('redis.databases.sessions'), at('redis.databases.cache')),
    message: 'redis.databases.cache is {redis.databases.cache}, the same database as redis.databases.sessions; give the cache its own database (e.g. 1)',
  },
  {
    path: 'redis.databases.sessions',
    require: lt(at('redis.databases.sessions'), at('redis.databases.count')),
    message: 'redis.databases.sessions is {redis.databases.sessions} but only databases 0..{redis.databases.count} exist (count is exclusive); pick an index below redis.databases.count',
  },
  {
    path: 'redis.databases.cache',
    require: lt(at('redis.databases.cache'), at('redis.databases.count')),
    message: 'redis.databases.cache is {redis.databases.cache} but only databases 0..{redis.databases.count} exist (count is exclusive); pick an index below redis.databases.count',
  },
  {
    path: 'redis.podDisruptionBudget.maxUnavailable',
    when: all(sentinelMode, ge(at('redis.replicas'), 2)),
    require: lt(at('redis.podDisruptionBudget.maxUnavailable'), at('redis.replicas')),
    message: 'redis.podDisruptionBudget.maxUnavailable is {redis.podDisruptionBudget.maxUnavailable}, which lets a drain take every Redis node at once; set it below redis.replicas (1 is safest)',
  },
  {
    path: 'redis.sentinel.podDisruptionBudget.maxUnavailable',
    // Only once the sentinel count and quorum themselves are sound, so one mistake gives one message.
    when: all(sentinelMode, ge(sentinels, 3), le(at('redis.sentinel.quorum'), sentinels)),
    require: le(at('redis.sentinel.podDisruptionBudget.maxUnavailable'), sub(sentinels, at('redis.sentinel.quorum'))),
    message: 'redis.sentinel.podDisruptionBudget.maxUnavailable is {redis.sentinel.podDisruptionBudget.maxUnavailable}, so a drain could leave fewer than quorum ({redis.sentinel.quorum}) sentinels; set it to at most redis.sentinel.replicas - redis.sentinel.quorum, or lower the quorum',
  },
  {
    path: 'monitoring.standalone.grafana.adminSecret',
    when: eq(at('monitoring.mode'), 'standalone'),
    require: truthy('monitoring.standalone.grafana.adminSecret'),
    message: 'monitoring.standalone.grafana.adminSecret is empty but standalone monitoring runs Grafana, which must never fall back to admin/admin; create a Secret with keys admin-user and admin-password and name it here',
  },
  {
    path: 'monitoring.standalone.ingress.host',
    when: all(eq(at('monitoring.mode'), 'standalone'), truthy('monitoring.standalone.ingress.enabled')),
    require: truthy('monitoring.standalone.ingress.host'),
    message: 'monitoring.standalone.ingress.host is empty but the Grafana Ingress is enabled; set the host name (e.g. grafana.example.com) or disable the Ingress',
  },
  {
    path: 'monitoring.standalone.ingress.tlsSecret',
    when: all(eq(at('monitoring.mode'), 'standalone'), truthy('monitoring.standalone.ingress.enabled')),
    require: truthy('monitoring.standalone.ingress.tlsSecret'),
    message: 'monitoring.standalone.ingress.tlsSecret is empty but the Grafana Ingress is enabled; Grafana is only exposed over TLS, name the Secret holding the certificate',
  },
  {
    path: 'redis.extraConfig',
    require: not(matches('redis.extraConfig', MANAGED_REDIS_DIRECTIVES, { ignoreCase: true })),
    message: 'redis.extraConfig sets a directive the chart manages (user, aclfile, requirepass, masteruser, masterauth, rename-command, bind, port, dir, include, loadmodule, protected-mode, enable-*-command, enable-protected-configs or tls-*); ACL users, passwords, addresses and TLS come from auth.*, tls.* and the pod: remove those lines',
  },
  {
    path: 'redis.sentinel.extraConfig',
    require: not(matches('redis.sentinel.extraConfig', MANAGED_SENTINEL_DIRECTIVES, { ignoreCase: true })),
    message: 'redis.sentinel.extraConfig sets a directive the chart manages (user, aclfile, requirepass, rename-command, bind, port, dir, include, loadmodule, protected-mode, daemonize, logfile, tls-*, or sentinel monitor, auth-pass, auth-user, sentinel-user, sentinel-pass, announce-*, resolve-hostnames, deny-scripts-reconfig, notification-script, client-reconfig-script, myid, known-*, *-epoch, down-after-milliseconds, failover-timeout, parallel-syncs, rename-command); the master, credentials, addresses and scripts come from redis.*, auth.*, tls.* and the pod: remove those lines (use redis.sentinel.* for the failover timings)',
  },
  {
    path: 'maintenance.backup.s3.enabled',
    when: s3Upload,
    require: truthy('maintenance.backup.enabled'),
    message: 'maintenance.backup.s3.enabled is true but maintenance.backup.enabled is false; the upload copies what the backup Job takes: enable the backup or set maintenance.backup.s3.enabled: false',
  },
  {
    path: 'maintenance.backup.s3.bucket',
    when: s3Upload,
    require: truthy('maintenance.backup.s3.bucket'),
    message: 'maintenance.backup.s3.bucket is empty but maintenance.backup.s3.enabled is true; name the existing bucket the backups are copied to',
  },
  {
    path: 'maintenance.backup.s3.endpoint',
    when: all(s3Upload, tlsOn),
    require: not(matches('maintenance.backup.s3.endpoint', '^http://')),
    message: 'maintenance.backup.s3.endpoint is {maintenance.backup.s3.endpoint}, plain HTTP while tls.enabled is true: every session in the backup would cross the network unencrypted; use the https:// endpoint of the store',
  },
  {
    path: 'monitoring.alerts.memoryWarningRatio',
    require: lt(at('monitoring.alerts.memoryWarningRatio'), at('monitoring.alerts.memoryCriticalRatio')),
    message: 'monitoring.alerts.memoryWarningRatio is {monitoring.alerts.memoryWarningRatio}, not below memoryCriticalRatio ({monitoring.alerts.memoryCriticalRatio}); the warning must come first, e.g. 0.8 and 0.9',
  },
];

const placeholder = /\{([a-zA-Z0-9_.]+)\}/g;

export function ruleMessage(rule: Rule, values: unknown): string {
  return rule.message.replace(placeholder, (_, path) => String(lookup(values, path)));
}

/** The rules that the values break. */
export function brokenRules(values: unknown): Rule[] {
  return rules.filter((r) => (!r.when || evaluate(r.when, values)) && !evaluate(r.require, values));
}

/** The chart's validate template: the same rules as Go `fail` calls. */
export function rulesTemplate(name: string): string {
  const lines = [`{{- define "${name}" -}}`];
  for (const rule of rules.filter((r) => !r.staticOnly)) {
    const args: string[] = [];
    const format = rule.message.replace(/%/g, '%%').replace(placeholder, (_, path) => {
      args.push(goPath(path));
      return '%v';
    });
    const broken = "not" in rule.require ? toGo(rule.require.not) : `not (${toGo(rule.require)})`;
    const cond = rule.when ? `and (${toGo(rule.when)}) (${broken})` : broken;
    lines.push(`{{- if ${cond} }}`);
    lines.push(`{{- fail (printf ${JSON.stringify('values: ' + format)} ${args.join(' ')}) }}`);
    lines.push('{{- end }}');
  }
  lines.push('{{- end -}}');
  return lines.join('\n') + '\n';
}
