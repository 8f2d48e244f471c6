import { Construct } from 'constructs';
import { IPodMonitor } from '@kubernetes-models/prometheus-operator/monitoring.coreos.com/v1/PodMonitor';
import { IPrometheusRule } from '@kubernetes-models/prometheus-operator/monitoring.coreos.com/v1/PrometheusRule';
import { RenderContext } from '../../render/context';
import { manifest } from '../shared/api-object';
import { metadata, namespace, selectorLabels } from '../shared/naming';
import { sentinelMode } from '../../config/predicates';
import { alertRuleSpec, dashboardLabels, dashboards, jobs } from './contract';
import { EXPORTER_PORT_NAME } from './exporter';

function podMonitor(scope: Construct, ctx: RenderContext, component: 'redis' | 'sentinel') {
  manifest<IPodMonitor>(scope, `${component}-podmonitor`, {
    apiVersion: 'monitoring.coreos.com/v1',
    kind: 'PodMonitor',
    metadata: metadata(ctx, component, 'monitoring'),
    spec: {
      selector: { matchLabels: selectorLabels(ctx, component) },
      namespaceSelector: { matchNames: [namespace(ctx)] },
      podMetricsEndpoints: [
        {
          port: EXPORTER_PORT_NAME,
          path: '/metrics',
          interval: ctx.values.monitoring.scrapeInterval,
          // The rules select this job name in both modes.
          relabelings: [{ action: 'replace', targetLabel: 'job', replacement: jobs(ctx)[component] }],
        },
      ],
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
    podMonitor(this, ctx, 'redis');
    const sentinel = ctx.guard(this, 'sentinel', sentinelMode);
    if (sentinel) podMonitor(sentinel, ctx, 'sentinel');
    manifest<IPrometheusRule>(this, 'rules', {
      apiVersion: 'monitoring.coreos.com/v1',
      kind: 'PrometheusRule',
      metadata: metadata(ctx, 'alerts', 'monitoring'),
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
