import { IContainer } from 'kubernetes-models/v1/Container';
import { IEnvVar } from 'kubernetes-models/v1/EnvVar';
import { IVolume } from 'kubernetes-models/v1/Volume';
import { IVolumeMount } from 'kubernetes-models/v1/VolumeMount';
import { truthy } from '../../config/expr';
import { RenderContext, Valued } from '../../render/context';
import { containerImage } from '../shared/images';
import { containerSecurityContext, REDIS_UID } from '../shared/pod-security';
import { MAINTENANCE_PATHS } from './contract';

/** maintenance.backup.s3.enabled: the backup Job copies each verified backup to the bucket. */
export const s3UploadOn = truthy('maintenance.backup.s3.enabled');
const secretCredentials = truthy('maintenance.backup.s3.credentials.existingSecret');

/** The container name the RedisBackupUploadFailed alert selects (kube-state-metrics container metrics). */
export const UPLOAD_CONTAINER = 'backup-upload';
/** A volume of the backup pod only: backup.sh leaves its result there for the upload container. */
const HANDOFF = { volume: 'handoff', path: '/handoff' } as const;

/** What the backup container gets when the upload is on: where to leave its result. */
export function backupHandoff(ctx: RenderContext) {
  return {
    env: ctx.optional(s3UploadOn, { name: 'BACKUP_HANDOFF_DIR', value: HANDOFF.path }),
    mount: ctx.optional<Valued<IVolumeMount>>(s3UploadOn, { name: HANDOFF.volume, mountPath: HANDOFF.path }),
    volume: ctx.optional<Valued<IVolume>>(s3UploadOn, { name: HANDOFF.volume, emptyDir: { sizeLimit: '1Mi' } }),
  };
}

/**
 * The upload container (files/backup-upload.sh in the AWS CLI image), beside the backup container: it
 * waits for backup.sh's result, uploads, reads the object back to check it and applies the bucket's
 * retention. Credentials from an existing Secret, else the CLI's default chain (IRSA, Pod Identity).
 */
export function s3UploadContainer(ctx: RenderContext): Valued<IContainer> | undefined {
  const m = ctx.values.maintenance.backup;
  const s3 = m.s3;
  const key = (name: string, secretKey: typeof s3.credentials.accessKeyIdKey) =>
    ctx.optional(secretCredentials, { name, valueFrom: { secretKeyRef: { name: s3.credentials.existingSecret, key: secretKey } } });
  return ctx.optional<Valued<IContainer>>(s3UploadOn, {
    name: UPLOAD_CONTAINER,
    ...containerImage(ctx, 'maintenance.backup.s3.image'),
    command: ['sh', `${MAINTENANCE_PATHS.scripts}/backup-upload.sh`],
    env: ctx.list<Valued<IEnvVar>>(
      { name: 'BACKUP_DIR', value: MAINTENANCE_PATHS.backup },
      { name: 'BACKUP_HANDOFF_DIR', value: HANDOFF.path },
      { name: 'BACKUP_TIMEOUT_SECONDS', value: ctx.asString(m.activeDeadlineSeconds) },
      { name: 'S3_ENDPOINT', value: s3.endpoint },
      { name: 'S3_BUCKET', value: s3.bucket },
      { name: 'S3_PREFIX', value: s3.prefix },
      { name: 'S3_FORCE_PATH_STYLE', value: ctx.choose(truthy('maintenance.backup.s3.forcePathStyle'), 'true', 'false') },
      { name: 'S3_KEEP', value: ctx.asString(s3.keep) },
      { name: 'S3_MAX_AGE_DAYS', value: ctx.asString(s3.maxAgeDays) },
      // v1 of the CLI reads only AWS_DEFAULT_REGION, v2 both.
      { name: 'AWS_DEFAULT_REGION', value: s3.region },
      { name: 'AWS_REGION', value: s3.region },
      key('AWS_ACCESS_KEY_ID', s3.credentials.accessKeyIdKey),
      key('AWS_SECRET_ACCESS_KEY', s3.credentials.secretAccessKeyKey),
      { name: 'HOME', value: MAINTENANCE_PATHS.tmp },
      { name: 'TMPDIR', value: MAINTENANCE_PATHS.tmp },
    ),
    resources: ctx.json(s3.resources),
    securityContext: containerSecurityContext(ctx, REDIS_UID, 'maintenance.containerSecurityContext'),
    volumeMounts: [
      { name: 'scripts', mountPath: MAINTENANCE_PATHS.scripts, readOnly: true },
      { name: 'backup', mountPath: MAINTENANCE_PATHS.backup, readOnly: true },
      { name: HANDOFF.volume, mountPath: HANDOFF.path, readOnly: true },
      { name: 'tmp', mountPath: MAINTENANCE_PATHS.tmp },
    ],
  });
}
