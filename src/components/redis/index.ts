import { Construct } from 'constructs';
import { truthy } from '../../config/expr';
import { sentinelMode } from '../../config/predicates';
import { RenderContext } from '../../render/context';
import { workloadServiceAccount } from '../shared/workload';
import { RedisConfigMaps } from './config-maps';
import { REDIS_PORT, SENTINEL_PORT } from './contract';
import { disruptionBudget } from '../shared/disruption-budget';
import { ServerStatefulSet } from './server-statefulset';
import { ServicePair } from './services';

/** Redis data nodes, plus Sentinels in sentinel mode. */
export class Redis extends Construct {
  constructor(scope: Construct, id: string, ctx: RenderContext) {
    super(scope, id);
    new RedisConfigMaps(this, 'config', ctx);
    workloadServiceAccount(this, ctx, 'redis', 'redis');
    new ServicePair(this, 'redis-services', ctx, { component: 'redis', port: REDIS_PORT, portName: 'redis', servicePath: 'redis.service' });
    new ServerStatefulSet(this, 'redis', ctx, 'redis');
    const redisPdb = ctx.guard(this, 'redis-pdb-guard', truthy('redis.podDisruptionBudget.enabled'));
    if (redisPdb) disruptionBudget(redisPdb, ctx, 'redis', ctx.values.redis.podDisruptionBudget.maxUnavailable);

    const sentinel = ctx.guard(this, 'sentinel', sentinelMode);
    if (sentinel) {
      workloadServiceAccount(sentinel, ctx, 'redis.sentinel', 'sentinel');
      new ServicePair(sentinel, 'sentinel-services', ctx, { component: 'sentinel', port: SENTINEL_PORT, portName: 'sentinel', servicePath: 'redis.sentinel.service' });
      new ServerStatefulSet(sentinel, 'statefulset', ctx, 'sentinel');
      const pdb = ctx.guard(sentinel, 'pdb-guard', truthy('redis.sentinel.podDisruptionBudget.enabled'));
      if (pdb) disruptionBudget(pdb, ctx, 'sentinel', ctx.values.redis.sentinel.podDisruptionBudget.maxUnavailable);
    }
  }
}
