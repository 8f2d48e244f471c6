import { Construct } from 'constructs';
import { IPodMonitor } from '@kubernetes-models/prometheus-operator/monitoring.coreos.com/v1/PodMonitor';
import { IServiceMonitor } from '@kubernetes-models/prometheus-operator/monitoring.coreos.com/v1/ServiceMonitor';
import { IService } from 'kubernetes-models/v1/Service';
import { IPrometheusRule } from '@kubernetes-models/prometheus-operator/monitoring.coreos.com/v1/PrometheusRule';
import { RenderContext } from '../../render/context';
import { manifest } from '../shared/api-object';
import { labelsOf, metadata, namespace, selectorLabels } from '../shared/naming';
import { at, eq, merge, truthy } from '../../config/expr';
import { masterEndpointOn, sentinelMode } from '../../config/predicates';
import { METRICS_PORT as HAPROXY_METRICS_PORT, METRICS_PORT_NAME as HAPROXY_METRICS_PORT_NAME } from '../master-endpoint/contract';
import { alertRuleSpec, dashboardLabels, dashboards, jobs } from './contract';
import { EXPORTER_PORT, EXPORTER_PORT_NAME } from './exporter';

const podMonitorOn = eq(at('monitoring.monitor'), 'PodMonitor');
const serviceMonitorOn = eq(at('monitoring.monitor'), 'ServiceMonitor');

/** Labels of the monitors and the PrometheusRule: the chart's plus monitoring.labels (e.g. release: kube-prometheus-stack). */
export const MONITOR_LABELS = merge(labelsOf('monitoring'), at('monitoring.labels'));

function monitorMetadata(ctx: RenderContext, suffix: string) {
  return { ...metadata(ctx, suffix, 'monitoring'), labels: ctx.value(MONITOR_LABELS) };
}

/** The scrape endpoint of either monitor: the chart's job relabeling, then the values' relabelings. */
type Scraped = 'redis' | 'sentinel' | 'haproxy';

function endpoint(ctx: RenderContext, component: Scraped) {
  const m = ctx.values.monitoring;
  return {
    port: component === 'haproxy' ? HAPROXY_METRICS_PORT_NAME : EXPORTER_PORT_NAME,
    path: '/metrics',
    interval: m.scrapeInterval,
    // The rules select this job name in both modes.
    relabelings: ctx.list<unknown>({ action: 'replace', targetLabel: 'job', replacement: jobs(ctx)[component] }, ctx.spread(m.relabelings)),
    metricRelabelings: ctx.optional(truthy('monitoring.metricRelabelings'), m.metricRelabelings),
  };
}

function podMonitor(scope: Construct, ctx: RenderContext, component: Scraped) {
  manifest<IPodMonitor>(scope, `${component}-podmonitor`, {
    apiVersion: 'monitoring.coreos.com/v1',
    kind: 'PodMonitor',
    metadata: monitorMetadata(ctx, component),
    spec: {
      selector: { matchLabels: selectorLabels(ctx, component) },
      namespaceSelector: { matchNames: [namespace(ctx)] },
      podMetricsEndpoints: [endpoint(ctx, component) as never],
    },
  });
}

/**
 * monitoring.monitor: ServiceMonitor — a headless Service per component with only the exporter port
 * (its own component label, so nothing else selects it) and a ServiceMonitor on it.
 */
function serviceMonitor(scope: Construct, ctx: RenderContext, component: Scraped) {
  const metricsComponent = `${component}-metrics`;
  manifest<IService>(scope, `${component}-metrics-service`, {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: metadata(ctx, metricsComponent, metricsComponent),
    spec: {
      clusterIP: 'None',
      ports: [component === 'haproxy'
        ? { name: HAPROXY_METRICS_PORT_NAME, port: HAPROXY_METRICS_PORT, targetPort: HAPROXY_METRICS_PORT_NAME, protocol: 'TCP' }
        : { name: EXPORTER_PORT_NAME, port: EXPORTER_PORT, targetPort: EXPORTER_PORT_NAME, protocol: 'TCP' }],
      selector: selectorLabels(ctx, component),
    },
  });
  manifest<IServiceMonitor>(scope, `${component}-servicemonitor`, {
    apiVersion: 'monitoring.coreos.com/v1',
    kind: 'ServiceMonitor',
    metadata: monitorMetadata(ctx, component),
    spec: {
      selector: { matchLabels: selectorLabels(ctx, metricsComponent) },
      namespaceSelector: { matchNames: [namespace(ctx)] },
      endpoints: [endpoint(ctx, component) as never],
    },
  });
}

/**
 * For an existing Prometheus Operator (kube-prometheus-stack): PodMonitors (the
 * exporters are sidecars, the Redis Services do not carry their port), the
 * PrometheusRule and the dashboards for the Grafana sidecar.
 */
export class OperatorMonitoring extends Construct {
  constructor(scope: Construct, id: string, ctx: RenderContext) {
    super(scope, id);
    const pods = ctx.guard(this, 'podmonitors', podMonitorOn);
    if (pods) {
      podMonitor(pods, ctx, 'redis');
      const sentinel = ctx.guard(pods, 'sentinel', sentinelMode);
      if (sentinel) podMonitor(sentinel, ctx, 'sentinel');
      const haproxy = ctx.guard(pods, 'haproxy', masterEndpointOn);
      if (haproxy) podMonitor(haproxy, ctx, 'haproxy');
    }
    const services = ctx.guard(this, 'servicemonitors', serviceMonitorOn);
    if (services) {
      serviceMonitor(services, ctx, 'redis');
      const sentinel = ctx.guard(services, 'sentinel', sentinelMode);
      if (sentinel) serviceMonitor(sentinel, ctx, 'sentinel');
      const haproxy = ctx.guard(services, 'haproxy', masterEndpointOn);
      if (haproxy) serviceMonitor(haproxy, ctx, 'haproxy');
    }
    manifest<IPrometheusRule>(this, 'rules', {
      apiVersion: 'monitoring.coreos.com/v1',
      kind: 'PrometheusRule',
      metadata: monitorMetadata(ctx, 'alerts'),
      spec: alertRuleSpec(ctx),
    });
    manifest(this, 'dashboards', {
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { ...metadata(ctx, 'dashboards', 'monitoring'), labels: dashboardLabels(ctx) },
      data: dashboards(ctx),
    });
  }
}
