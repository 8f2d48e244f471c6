import { IPrometheusRule } from '@kubernetes-models/prometheus-operator/monitoring.coreos.com/v1/PrometheusRule';
import { IServiceMonitor } from '@kubernetes-models/prometheus-operator/monitoring.coreos.com/v1/ServiceMonitor';
import { Construct } from 'constructs';
import { truthy } from '../../config/expr';
import { readAsset } from '../../render/assets';
import { tlsOn } from '../../config/predicates';
import { RenderContext, Val } from '../../render/context';
import { manifest } from '../shared/api-object';
import { metadata, namespace, selectorLabels } from '../shared/naming';
import { FILES_DIR } from './config-map';
import { PORT_NAMES, infinispanNames } from './contract';

export const RULES_FILE = 'prometheus-rules.yaml';

/** The alert rules file with its placeholders filled (job = the client Service, as a ServiceMonitor names it). */
export function infinispanRuleGroups(ctx: RenderContext): Val<IPrometheusRule['spec']> {
  const text = ctx.fill(readAsset(`${FILES_DIR}/${RULES_FILE}`), {
    job: infinispanNames(ctx).server,
    namespace: namespace(ctx),
  });
  return ctx.yamlFile(`infinispan/${RULES_FILE}`, text);
}

/** Optional ServiceMonitor for /metrics and PrometheusRule with the cluster alerts. */
export function infinispanMonitoring(scope: Construct, ctx: RenderContext) {
  const v = ctx.values.infinispan.metrics;
  const monitor = ctx.guard(scope, 'service-monitor', truthy('infinispan.metrics.serviceMonitor.enabled'));
  if (monitor) {
    manifest<IServiceMonitor>(monitor, 'service-monitor', {
      apiVersion: 'monitoring.coreos.com/v1',
      kind: 'ServiceMonitor',
      metadata: metadata(ctx, 'infinispan', 'infinispan'),
      spec: {
        selector: { matchLabels: selectorLabels(ctx, 'infinispan') },
        namespaceSelector: { matchNames: [namespace(ctx)] },
        endpoints: [
          {
            port: PORT_NAMES.client,
            path: '/metrics',
            interval: v.serviceMonitor.interval,
            scheme: ctx.choose(tlsOn, 'https', 'http'),
            tlsConfig: ctx.optional(tlsOn, {
              ca: { secret: { name: infinispanNames(ctx).tlsSecret, key: 'ca.crt' } },
              serverName: infinispanNames(ctx).server,
            }),
          },
        ],
      },
    });
  }
  const rules = ctx.guard(scope, 'prometheus-rule', truthy('infinispan.metrics.prometheusRule.enabled'));
  if (rules) {
    manifest<IPrometheusRule>(rules, 'prometheus-rule', {
      apiVersion: 'monitoring.coreos.com/v1',
      kind: 'PrometheusRule',
      metadata: metadata(ctx, 'infinispan', 'infinispan'),
      spec: infinispanRuleGroups(ctx),
    });
  }
}
