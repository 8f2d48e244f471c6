import { Pred, add, all, at, div, eq, evaluate, ge, goPath, le, lookup, lt, mod, ne, sub, toGo, truthy } from './expr';

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
}

const sentinelMode = eq(at('redis.mode'), 'sentinel');
const sentinels = at('redis.sentinel.replicas');

export const rules: readonly Rule[] = [
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
    message: 'redis.sentinel.podDisruptionBudget.maxUnavailable is {redis.sentinel.podDisruptionBudget.maxUnavailable}, so a drain could leave fewer than quorum ({redis.sentinel.quorum}) sentinels; set it to at most replicas - quorum',
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
export function rulesTemplate(name: string, defaults: unknown): string {
  const lines = [`{{- define "${name}" -}}`];
  for (const rule of rules) {
    const args: string[] = [];
    const format = rule.message.replace(/%/g, '%%').replace(placeholder, (_, path) => {
      args.push(goPath(path, defaults));
      return '%v';
    });
    const broken = `not (${toGo(rule.require, defaults)})`;
    const cond = rule.when ? `and (${toGo(rule.when, defaults)}) (${broken})` : broken;
    lines.push(`{{- if ${cond} }}`);
    lines.push(`{{- fail (printf ${JSON.stringify('values: ' + format)} ${args.join(' ')}) }}`);
    lines.push('{{- end }}');
  }
  lines.push('{{- end -}}');
  return lines.join('\n') + '\n';
}
