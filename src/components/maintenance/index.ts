import { Construct } from 'constructs';
import { IConfigMap } from 'kubernetes-models/v1/ConfigMap';
import { IPersistentVolumeClaim } from 'kubernetes-models/v1/PersistentVolumeClaim';
import { any, truthy } from '../../config/expr';
import { readAsset } from '../../render/assets';
import { RenderContext } from '../../render/context';
import { manifest } from '../shared/api-object';
import { workloadServiceAccount } from '../shared/workload';
import { metadata } from '../shared/naming';
import { claimAnnotations, claimSpec } from '../shared/storage';
import { MAINTENANCE_FILES, MAINTENANCE_PATHS, maintenanceNames } from './contract';
import { maintenanceCronJob } from './cron-job';
import { backupHandoff, s3UploadContainer } from './s3-upload';

const FILES = 'src/components/maintenance/files';
/** The Redis scripts' helpers (log, secret, cli_as, sentinel_host; common.sh sources tls.sh), shipped unchanged. */
const COMMON_SH = 'src/components/redis/scripts/common.sh';
const TLS_SH = 'src/components/redis/scripts/tls.sh';

/** Session cleanup, cache cleanup and backup CronJobs with their scripts, account and backup volume. */
export class Maintenance extends Construct {
  constructor(scope: Construct, id: string, ctx: RenderContext) {
    super(scope, id);
    const v = ctx.values;
    const m = v.maintenance;
    const n = maintenanceNames(ctx);
    const anyJob = any(truthy('maintenance.sessionCleanup.enabled'), truthy('maintenance.cacheCleanup.enabled'), truthy('maintenance.backup.enabled'));
    const shared = ctx.guard(this, 'shared', anyJob);
    if (shared) {
      manifest<IConfigMap>(shared, 'scripts', {
        apiVersion: 'v1',
        kind: 'ConfigMap',
        metadata: metadata(ctx, 'maintenance-scripts', 'maintenance'),
        data: {
          'common.sh': readAsset(COMMON_SH),
          'tls.sh': readAsset(TLS_SH),
          ...Object.fromEntries(MAINTENANCE_FILES.map((f) => [f, readAsset(`${FILES}/${f}`)])),
        },
      });
      workloadServiceAccount(shared, ctx, 'maintenance', 'maintenance');
    }

    const sessions = ctx.guard(this, 'session-cleanup', truthy('maintenance.sessionCleanup.enabled'));
    if (sessions) {
      maintenanceCronJob(sessions, ctx, {
        name: 'session-cleanup',
        script: 'session-cleanup.sh',
        values: 'maintenance.sessionCleanup',
        user: 'cleanup',
        env: [
          { name: 'SESSIONS_DB', value: ctx.asString(v.redis.databases.sessions) },
          { name: 'KEY_PREFIX', value: v.sessions.keyPrefix },
          { name: 'BATCH_SIZE', value: ctx.asString(m.sessionCleanup.batchSize) },
          { name: 'MAX_SESSIONS_PER_USER', value: ctx.asString(v.sessions.maxSessionsPerUser) },
          { name: 'MAX_REFRESH_TOKENS_PER_USER', value: ctx.asString(v.sessions.maxRefreshTokensPerUser) },
        ],
      });
    }

    const cache = ctx.guard(this, 'cache-cleanup', truthy('maintenance.cacheCleanup.enabled'));
    if (cache) {
      maintenanceCronJob(cache, ctx, {
        name: 'cache-cleanup',
        script: 'cache-cleanup.sh',
        values: 'maintenance.cacheCleanup',
        // Not the cache user the services hold: it gets no scripting unless auth.cacheUserScripting.
        user: 'cleanup',
        env: [
          { name: 'CACHE_DB', value: ctx.asString(v.redis.databases.cache) },
          { name: 'BATCH_SIZE', value: ctx.asString(m.cacheCleanup.batchSize) },
          { name: 'MAX_ENTRIES_PER_SERVICE', value: ctx.asString(v.cache.maxEntriesPerService) },
        ],
      });
    }

    const backup = ctx.guard(this, 'backup', truthy('maintenance.backup.enabled'));
    if (backup) {
      manifest<IPersistentVolumeClaim>(backup, 'claim', {
        apiVersion: 'v1',
        kind: 'PersistentVolumeClaim',
        // Backups outlive the release: neither `helm uninstall` nor an Argo CD prune deletes them.
        metadata: metadata(ctx, 'backup', 'maintenance', claimAnnotations('maintenance.backup', { 'helm.sh/resource-policy': 'keep', 'argocd.argoproj.io/sync-options': 'Delete=false' })),
        spec: claimSpec(ctx, 'maintenance.backup'),
      });
      const handoff = backupHandoff(ctx);
      maintenanceCronJob(backup, ctx, {
        name: 'backup',
        script: 'backup.sh',
        values: 'maintenance.backup',
        user: 'backup',
        env: [
          { name: 'BACKUP_DIR', value: MAINTENANCE_PATHS.backup },
          { name: 'BACKUP_KEEP', value: ctx.asString(m.backup.keep) },
          { name: 'BACKUP_TIMEOUT_SECONDS', value: ctx.asString(m.backup.activeDeadlineSeconds) },
          handoff.env,
        ],
        extraVolumes: [{ name: 'backup', persistentVolumeClaim: { claimName: n.backupClaim } }, handoff.volume],
        extraMounts: [{ name: 'backup', mountPath: MAINTENANCE_PATHS.backup }, handoff.mount],
        others: [s3UploadContainer(ctx)],
        otherImages: ['maintenance.backup.s3.image'],
      });
    }
  }
}
