import { all, at, choose, gt, truthy } from '../../config/expr';
import { masterEndpointOn, sentinelMode } from '../../config/predicates';
import { RenderContext } from '../../render/context';
import { REDIS_PORT } from '../redis/contract';
import { resourceName, serviceHost } from '../shared/naming';

/**
 * The master endpoint's contract: HAProxy pods (component `haproxy`) behind the `<fullname>-master`
 * Service, which clients that do not speak Sentinel use (REDIS_URL in the client contract).
 */
export const COMPONENT = 'haproxy';
export { masterEndpointOn };

/** Clients reach the master on the port Redis itself uses. */
export const MASTER_PORT = REDIS_PORT;
export const METRICS_PORT = 8404;
export const METRICS_PORT_NAME = 'metrics';
/** UID/GID of the haproxy user in the official image. */
export const HAPROXY_UID = 99;
/** The ACL user the health checks log in as (INFO replication is all they run). */
export const CHECK_USER = 'monitor';

export const PATHS = {
  files: '/usr/local/etc/haproxy/templates',
  runtime: '/tmp',
  tls: '/usr/local/etc/haproxy/tls',
} as const;

export const masterEndpointNames = (ctx: RenderContext) => ({
  service: resourceName(ctx, 'master'),
  workload: resourceName(ctx, COMPONENT),
});

/** Host name of the master endpoint inside the cluster. */
export const masterHost = (ctx: RenderContext) => serviceHost(ctx, masterEndpointNames(ctx).service);

/** Server slots: one per Redis node the StatefulSet can have (the autoscaler's maximum when it is on). */
export const serverSlots = choose(all(sentinelMode, truthy('redis.autoscaling.enabled')), at('redis.autoscaling.maxReplicas'), at('redis.replicas'));

/** The check asks for a connected replica exactly when the master would refuse writes without one. */
export const requireReplica = gt(at('redis.minReplicasToWrite'), 0);
