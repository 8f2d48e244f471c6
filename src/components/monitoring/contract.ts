import { IPrometheusRule } from '@kubernetes-models/prometheus-operator/monitoring.coreos.com/v1/PrometheusRule';
import { RenderContext, Val } from '../../render/context';
import { readAsset } from '../../render/assets';
import { namespace, fullname, resourceName, objectLabelsOf, serviceHost } from '../shared/naming';
import { names as redisNames } from '../redis/contract';
import { EXPORTER_PORT } from './exporter';
import { at, dict, merge, truthy } from '../../config/expr';
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
  return { redis: resourceName(ctx, 'redis'), sentinel: resourceName(ctx, 'sentinel') };
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

/** The alert and recording rules (Prometheus rule file): its text, shipped once in the chart's files/. */
export function alertRules(ctx: RenderContext): Val<string> {
  return ctx.file(ALERTS_FILE, monitoringFile(ctx, ALERTS_FILE));
}

/** The same rules as a structure (a PrometheusRule's spec). */
export function alertRuleSpec(ctx: RenderContext): Val<IPrometheusRule['spec']> {
  return ctx.yamlFile(ALERTS_FILE, monitoringFile(ctx, ALERTS_FILE));
}

/** The Grafana dashboards by file name, shipped once in the chart's files/dashboards/. */
export function dashboards(ctx: RenderContext): Record<string, Val<string>> {
  return Object.fromEntries(DASHBOARD_FILES.map((f) => [f, ctx.file(`dashboards/${f}`, readAsset(`${FILES}/dashboards/${f}`))]));
}

/** Standard labels plus the Grafana sidecar label (its key comes from the values and wins). */
export const DASHBOARD_LABELS = merge(dict([[at('monitoring.dashboards.label'), at('monitoring.dashboards.labelValue')]]), objectLabelsOf('monitoring'));

export function dashboardLabels(ctx: RenderContext): Val<Record<string, string>> {
  return ctx.value(DASHBOARD_LABELS);
}
