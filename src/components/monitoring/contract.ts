import { IPrometheusRule } from '@kubernetes-models/prometheus-operator/monitoring.coreos.com/v1/PrometheusRule';
import { RenderContext, Val } from '../../render/context';
import { readAsset } from '../../render/assets';
import { namespace, fullname, resourceName, objectLabelsOf, serviceHost } from '../shared/naming';
import { names as redisNames } from '../redis/contract';
import { EXPORTER_PORT } from './exporter';
import { METRICS_PORT as HAPROXY_METRICS_PORT } from '../master-endpoint/contract';
import { masterEndpointOn } from '../../config/predicates';
import { Pred, all } from '../../config/expr';
import { at, concat, contains, dict, merge, not, sha256, toJson, truthy, trunc } from '../../config/expr';
import { ALERT_NAMES } from '../../config/sections/monitoring';
import { FULLNAME, NAMESPACE } from '../shared/naming';
import { operatorMonitoring, sentinelMode, standaloneMonitoring } from '../../config/predicates';

export const FILES = 'src/components/monitoring/files';
export const DASHBOARD_FILES = ['redis-overview.json', 'sessions.json', 'resources.json', 'alerts.json'] as const;
const ALERTS_FILE = 'alerts.yaml';

export const PROMETHEUS_PORT = 9090;
export const ALERTMANAGER_PORT = 9093;
export const GRAFANA_PORT = 3000;

export { operatorMonitoring, sentinelMode, standaloneMonitoring };
export const ingressOn = truthy('monitoring.standalone.ingress.enabled');

/**
 * Job label of the scraped exporters: the same in both modes (PodMonitor relabeling,
 * standalone job_name), so one rule file serves both.
 */
export function jobs(ctx: RenderContext) {
  return { redis: resourceName(ctx, 'redis'), sentinel: resourceName(ctx, 'sentinel'), haproxy: resourceName(ctx, 'haproxy') };
}

export const monitoringNames = (ctx: RenderContext) => ({
  prometheus: resourceName(ctx, 'prometheus'),
  alertmanager: resourceName(ctx, 'alertmanager'),
  grafana: resourceName(ctx, 'grafana'),
});

/** Values of the @@extra@@ placeholders of the files in files/. */
export function fileExtras(ctx: RenderContext): Record<string, string | Val<string>> {
  const n = redisNames(ctx);
  const m = monitoringNames(ctx);
  const j = jobs(ctx);
  const ns = namespace(ctx);
  const ksm = ctx.values.monitoring.standalone.prometheus.kubeStateMetricsTarget;
  return {
    namespace: ns,
    fullname: fullname(ctx),
    redisJob: j.redis,
    sentinelJob: j.sentinel,
    haproxyJob: j.haproxy,
    haproxyHeadless: resourceName(ctx, 'haproxy-headless'),
    haproxyMetricsPort: String(HAPROXY_METRICS_PORT),
    redisHeadless: n.redisHeadless,
    sentinelHeadless: n.sentinelHeadless,
    exporterPort: String(EXPORTER_PORT),
    prometheusHost: serviceHost(ctx, m.prometheus),
    alertmanagerAddress: `${serviceHost(ctx, m.alertmanager)}:${ALERTMANAGER_PORT}`,
    kubeStateMetricsTargets: ctx.choose(truthy('monitoring.standalone.prometheus.kubeStateMetricsTarget'), `"${ksm}"`, ''),
  };
}

/** A file of files/ with its placeholders filled. */
export function monitoringFile(ctx: RenderContext, file: string): string {
  return ctx.fill(readAsset(`${FILES}/${file}`), fileExtras(ctx));
}

/** Alerts about a part that exists only under a condition (the rest are always there). */
const ALERT_CONDITIONS: Record<string, Pred> = { RedisMasterEndpointDown: masterEndpointOn };

const GROUP_START = /^  - name: /;
const RULE_START = /^      - (alert|record): (\S+)$/;

/**
 * The rule file with monitoring.alerts.disabled left out (a group whose alerts are all disabled goes
 * too) and monitoring.rules appended as the group session-database.extra. Each alert is one optional
 * block, so both outputs drop the same lines.
 */
function ruleFileText(ctx: RenderContext): string {
  const lines = monitoringFile(ctx, ALERTS_FILE).replace(/\n$/, '').split('\n');
  const found: string[] = [];
  const groups: { head: string[]; rules: { name?: string; lines: string[] }[] }[] = [];
  const preamble: string[] = [];
  for (const line of lines) {
    const rule = RULE_START.exec(line);
    const group = groups[groups.length - 1];
    if (GROUP_START.test(line)) groups.push({ head: [line], rules: [] });
    else if (rule) {
      if (rule[1] === 'alert') found.push(rule[2]);
      group.rules.push({ name: rule[1] === 'alert' ? rule[2] : undefined, lines: [line] });
    } else if (group && group.rules.length > 0) group.rules[group.rules.length - 1].lines.push(line);
    else if (group) group.head.push(line);
    else preamble.push(line);
  }
  if (JSON.stringify([...found].sort()) !== JSON.stringify([...ALERT_NAMES].sort())) {
    throw new Error(`${FILES}/${ALERTS_FILE} has the alerts ${found.join(', ')}; ALERT_NAMES in src/config/sections/monitoring.ts must list exactly them`);
  }
  const kept = (name: string): Pred => {
    const notDisabled = not(contains('monitoring.alerts.disabled', name));
    return ALERT_CONDITIONS[name] ? all(ALERT_CONDITIONS[name], notDisabled) : notDisabled;
  };
  const text = (block: string[]) => block.map((l) => `${l}\n`).join('');
  const body = groups.map((g) => {
    const rules = g.rules.map((r) => (r.name ? ctx.optional(kept(r.name), text(r.lines)) ?? '' : text(r.lines))).join('');
    const group = text(g.head) + rules;
    const onlyAlerts = g.rules.every((r) => r.name);
    return onlyAlerts ? ctx.optional({ any: g.rules.map((r) => kept(r.name!)) }, group) ?? '' : group;
  });
  const extra = ctx.optional(truthy('monitoring.rules'), `  - name: session-database.extra\n    rules: ${ctx.value(toJson(at('monitoring.rules')))}\n`) ?? '';
  return text(preamble) + body.join('') + extra;
}

/** The alert and recording rules (Prometheus rule file): its text, shipped once in the chart's files/. */
export function alertRules(ctx: RenderContext): Val<string> {
  return ctx.file(ALERTS_FILE, ruleFileText(ctx));
}

/** The same rules as a structure (a PrometheusRule's spec). */
export function alertRuleSpec(ctx: RenderContext): Val<IPrometheusRule['spec']> {
  return ctx.yamlFile(ALERTS_FILE, ruleFileText(ctx));
}

/**
 * The uid of a dashboard: its name and a hash of namespace and fullname, so two releases in one
 * Grafana keep their own dashboards; at most 40 characters (Grafana's limit).
 */
export const dashboardUid = (file: string) =>
  trunc(40, concat(`sd-${file.replace(/\.json$/, '')}-`, sha256(concat(NAMESPACE, '/', FULLNAME))));

/** The Grafana dashboards by file name, shipped once in the chart's files/dashboards/. */
export function dashboards(ctx: RenderContext): Record<string, Val<string>> {
  return Object.fromEntries(DASHBOARD_FILES.map((f) => [f, ctx.file(`dashboards/${f}`, ctx.fill(readAsset(`${FILES}/dashboards/${f}`), { dashboardUid: ctx.value(dashboardUid(f)) }))]));
}

/** Standard labels plus the Grafana sidecar label (its key comes from the values and wins). */
export const DASHBOARD_LABELS = merge(dict([[at('monitoring.dashboards.label'), at('monitoring.dashboards.labelValue')]]), objectLabelsOf('monitoring'));

export function dashboardLabels(ctx: RenderContext): Val<Record<string, string>> {
  return ctx.value(DASHBOARD_LABELS);
}
