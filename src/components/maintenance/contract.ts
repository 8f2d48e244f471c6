import { RenderContext } from '../../render/context';
import { PATHS, REDIS_PORT, SENTINEL_PORT, names, podHost } from '../redis/contract';
import { namespace, resourceName } from '../shared/naming';

/** Where the maintenance pods mount their scripts, passwords and the backup volume. */
export const MAINTENANCE_PATHS = {
  scripts: '/etc/maintenance',
  secrets: PATHS.secrets,
  backup: '/backup',
  tmp: '/tmp',
} as const;

/** Files of the maintenance ConfigMap: this folder's files plus the Redis scripts' common.sh. */
export const MAINTENANCE_FILES = [
  'maintenance.sh',
  'session-cleanup.sh',
  'session-cleanup.lua',
  'cache-cleanup.sh',
  'cache-cleanup.lua',
  'backup.sh',
  'restore.sh',
  's3.sh',
  'backup-upload.sh',
  'backup-download.sh',
] as const;

/** Sentinel ACL user the jobs discover the master and replicas with (read-only there). */
export const DISCOVERY_USER = 'monitor';

export const maintenanceNames = (ctx: RenderContext) => ({
  scripts: resourceName(ctx, 'maintenance-scripts'),
  serviceAccount: resourceName(ctx, 'maintenance'),
  backupClaim: resourceName(ctx, 'backup'),
});

/**
 * Environment of every maintenance script (files/maintenance.sh lists it); the
 * live tests set the same variables to fixture values.
 */
export function connectionEnvironment(ctx: RenderContext) {
  const v = ctx.values;
  const n = names(ctx);
  return [
    { name: 'REDIS_MODE', value: v.redis.mode },
    { name: 'MASTER_NAME', value: v.redis.masterName },
    { name: 'REDIS_SERVICE_HOST', value: `${n.redis}.${namespace(ctx)}.svc.${v.clusterDomain}` },
    { name: 'REDIS_PORT', value: String(REDIS_PORT) },
    { name: 'SENTINEL_HOST_PATTERN', value: podHost(ctx, `${n.sentinel}-%d`, n.sentinelHeadless) },
    { name: 'SENTINEL_NODES', value: ctx.asString(v.redis.sentinel.replicas) },
    { name: 'SENTINEL_PORT', value: String(SENTINEL_PORT) },
    { name: 'DISCOVERY_USER', value: DISCOVERY_USER },
    { name: 'SECRETS_DIR', value: MAINTENANCE_PATHS.secrets },
    { name: 'HOME', value: MAINTENANCE_PATHS.tmp },
    { name: 'TMPDIR', value: MAINTENANCE_PATHS.tmp },
  ];
}
