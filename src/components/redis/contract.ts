import { tlsOn } from '../../config/predicates';
import { RenderContext, Val } from '../../render/context';
import { AUTH_SECRET, resourceName, serviceHost } from '../shared/naming';

/** Ports every Redis and Sentinel process listens on. */
export const REDIS_PORT = 6379;
export const SENTINEL_PORT = 26379;

/** Where the pod mounts what the scripts read and write (read-only root filesystem otherwise). */
export const PATHS = {
  templates: '/etc/redis/templates',
  scripts: '/etc/redis/scripts',
  secrets: '/etc/redis/secrets',
  /** The whole auth Secret, for the passwords of auth.extraUsers (Redis pods, only when there are any). */
  extraSecrets: '/etc/redis/extra-secrets',
  runtime: '/etc/redis/runtime',
  data: '/data',
  tmp: '/tmp',
  tls: '/etc/redis/tls',
} as const;

/** The ACL users; each one's password is `<user>-password` in the auth Secret. */
export const ACL_USERS = ['app', 'cache', 'monitor', 'cleanup', 'backup', 'replication', 'sentinel'] as const;
export type AclUser = (typeof ACL_USERS)[number];

export const names = (ctx: RenderContext) => ({
  redis: resourceName(ctx, 'redis'),
  redisHeadless: resourceName(ctx, 'redis-headless'),
  sentinel: resourceName(ctx, 'sentinel'),
  sentinelHeadless: resourceName(ctx, 'sentinel-headless'),
  config: resourceName(ctx, 'redis-config'),
  scripts: resourceName(ctx, 'redis-scripts'),
});

/** DNS name of a pod behind its headless Service. */
export function podHost(ctx: RenderContext, podName: string, headless: string): string {
  return serviceHost(ctx, `${podName}.${headless}`);
}

/** Name of the Secret with the ACL passwords. */
export function authSecretName(ctx: RenderContext): Val<string> {
  return ctx.value(AUTH_SECRET);
}

/**
 * The environment contract of the scripts (see scripts/common.sh). The manifests set
 * it from the downward API; the live tests set the same variables to fixture values.
 */
export function scriptEnvironment(ctx: RenderContext, role: 'redis' | 'sentinel') {
  const v = ctx.values;
  const n = names(ctx);
  const ownHeadless = role === 'redis' ? n.redisHeadless : n.sentinelHeadless;
  return [
    { name: 'POD_NAME', valueFrom: { fieldRef: { fieldPath: 'metadata.name' } } },
    { name: 'POD_IP', valueFrom: { fieldRef: { fieldPath: 'status.podIP' } } },
    { name: 'ANNOUNCE_HOST', value: podHost(ctx, '$(POD_NAME)', ownHeadless) },
    { name: 'REDIS_HOST_PATTERN', value: podHost(ctx, `${n.redis}-%d`, n.redisHeadless) },
    { name: 'SENTINEL_HOST_PATTERN', value: podHost(ctx, `${n.sentinel}-%d`, n.sentinelHeadless) },
    { name: 'REDIS_NODES', value: ctx.asString(v.redis.replicas) },
    { name: 'SENTINEL_NODES', value: ctx.asString(v.redis.sentinel.replicas) },
    { name: 'REDIS_PORT', value: String(REDIS_PORT) },
    { name: 'SENTINEL_PORT', value: String(SENTINEL_PORT) },
    { name: 'REDIS_MODE', value: v.redis.mode },
    { name: 'MASTER_NAME', value: v.redis.masterName },
    { name: 'QUORUM', value: ctx.asString(v.redis.sentinel.quorum) },
    { name: 'TERMINATION_GRACE_SECONDS', value: ctx.asString(v.redis.terminationGracePeriodSeconds) },
    { name: 'CONFIG_TEMPLATE_DIR', value: PATHS.templates },
    { name: 'SECRETS_DIR', value: PATHS.secrets },
    { name: 'EXTRA_SECRETS_DIR', value: PATHS.extraSecrets },
    { name: 'RUNTIME_DIR', value: PATHS.runtime },
    { name: 'DATA_DIR', value: PATHS.data },
    { name: 'TLS_ENABLED', value: ctx.choose(tlsOn, 'true', 'false') },
    { name: 'TLS_DIR', value: PATHS.tls },
    { name: 'HOME', value: PATHS.tmp },
  ];
}
