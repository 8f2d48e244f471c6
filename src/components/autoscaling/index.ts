import { Construct } from 'constructs';
import { IHorizontalPodAutoscaler } from 'kubernetes-models/autoscaling/v2/HorizontalPodAutoscaler';
import { all, truthy } from '../../config/expr';
import { sentinelMode } from '../../config/predicates';
import { RenderContext, Val } from '../../render/context';
import { names } from '../redis/contract';
import { manifest } from '../shared/api-object';
import { metadata } from '../shared/naming';

const utilization = (resource: string, averageUtilization: Val<number>) => ({
  type: 'Resource',
  resource: { name: resource, target: { type: 'Utilization', averageUtilization } },
});

/**
 * HorizontalPodAutoscaler of the Redis data StatefulSet (sentinel mode only; the
 * sentinels are never autoscaled). At least redis.replicas nodes; one node added or
 * removed per period so a new replica finishes its full sync and a removed master
 * hands over in preStop before the next change.
 */
export class Autoscaling extends Construct {
  constructor(scope: Construct, id: string, ctx: RenderContext) {
    super(scope, id);
    const v = ctx.values.redis;
    const a = v.autoscaling;
    const guarded = ctx.guard(this, 'redis-hpa', all(sentinelMode, truthy('redis.autoscaling.enabled')));
    if (!guarded) return;
    manifest<IHorizontalPodAutoscaler>(guarded, 'redis', {
      apiVersion: 'autoscaling/v2',
      kind: 'HorizontalPodAutoscaler',
      metadata: metadata(ctx, 'redis', 'redis'),
      spec: {
        scaleTargetRef: { apiVersion: 'apps/v1', kind: 'StatefulSet', name: names(ctx).redis },
        minReplicas: v.replicas,
        maxReplicas: a.maxReplicas,
        metrics: ctx.list(
          utilization('cpu', a.targetCPUUtilizationPercentage),
          ctx.optional(truthy('redis.autoscaling.targetMemoryUtilizationPercentage'), utilization('memory', a.targetMemoryUtilizationPercentage)),
        ),
        behavior: {
          scaleUp: {
            stabilizationWindowSeconds: 60,
            selectPolicy: 'Min',
            policies: [{ type: 'Pods', value: 1, periodSeconds: a.scaleUpPeriodSeconds }],
          },
          scaleDown: {
            stabilizationWindowSeconds: a.scaleDownStabilizationSeconds,
            selectPolicy: 'Min',
            policies: [{ type: 'Pods', value: 1, periodSeconds: a.scaleDownPeriodSeconds }],
          },
        },
      },
    });
  }
}
