import { Construct } from 'constructs';
import { ICronJob } from 'kubernetes-models/batch/v1/CronJob';
import { IContainer } from 'kubernetes-models/v1/Container';
import { IEnvVar } from 'kubernetes-models/v1/EnvVar';
import { IVolume } from 'kubernetes-models/v1/Volume';
import { IVolumeMount } from 'kubernetes-models/v1/VolumeMount';
import { tlsOn } from '../../config/predicates';
import { RenderContext, Valued } from '../../render/context';
import { AclUser, PATHS, authSecretName } from '../redis/contract';
import { tlsSecretName } from '../tls/names';
import { passwordFile, passwordKey } from '../secrets/keys';
import { manifest } from '../shared/api-object';
import { ImagePath, containerImage } from '../shared/images';
import { metadata, selectorLabels } from '../shared/naming';
import { REDIS_UID, scannerNotes } from '../shared/pod-security';
import { podTemplate } from '../shared/workload';
import { DISCOVERY_USER, MAINTENANCE_PATHS, connectionEnvironment, maintenanceNames } from './contract';

/** The block of the values of each job (see jobShape in src/config/schema.ts). */
export type JobPath = 'maintenance.sessionCleanup' | 'maintenance.cacheCleanup' | 'maintenance.backup';

export interface MaintenanceJobProps {
  /** Object name suffix and container name: session-cleanup, cache-cleanup, backup. */
  readonly name: string;
  readonly script: string;
  readonly values: JobPath;
  /** The one ACL user the job works as; only its password and the discovery user's are mounted. */
  readonly user: AclUser;
  readonly env: (Valued<IEnvVar> | undefined)[];
  readonly extraVolumes?: (Valued<IVolume> | undefined)[];
  readonly extraMounts?: (Valued<IVolumeMount> | undefined)[];
  /** Further containers of the chart in the pod (the backup's S3 upload), and their images. */
  readonly others?: (Valued<IContainer> | undefined)[];
  readonly otherImages?: ImagePath[];
}

/**
 * A maintenance CronJob on the stock Redis image: `sh <script>` from the ConfigMap,
 * never two at once, bounded in time and retries, Pod Security "restricted".
 */
export function maintenanceCronJob(scope: Construct, ctx: RenderContext, props: MaintenanceJobProps) {
  const job = ctx.at(props.values);
  const n = maintenanceNames(ctx);
  const passwords = ([props.user, DISCOVERY_USER] as AclUser[]).map((u) => ({ key: passwordKey(ctx, u), path: passwordFile(u) }));
  manifest<ICronJob>(scope, props.name, {
    apiVersion: 'batch/v1',
    kind: 'CronJob',
    metadata: metadata(ctx, props.name, 'maintenance', scannerNotes()),
    spec: {
      schedule: job.schedule,
      concurrencyPolicy: 'Forbid',
      startingDeadlineSeconds: 300,
      successfulJobsHistoryLimit: job.successfulJobsHistoryLimit,
      failedJobsHistoryLimit: job.failedJobsHistoryLimit,
      jobTemplate: {
        metadata: { labels: selectorLabels(ctx, 'maintenance') },
        spec: {
          backoffLimit: job.backoffLimit,
          activeDeadlineSeconds: job.activeDeadlineSeconds,
          template: podTemplate(ctx, 'maintenance', {
            component: 'maintenance',
            uid: REDIS_UID,
            images: ['redis.image', ...(props.otherImages ?? [])],
            others: props.others,
            spec: { restartPolicy: 'Never' },
            main: {
              name: props.name,
              ...containerImage(ctx, 'redis.image'),
              command: ['sh', `${MAINTENANCE_PATHS.scripts}/${props.script}`],
              env: ctx.list<Valued<IEnvVar>>(
                ...connectionEnvironment(ctx),
                { name: 'TLS_ENABLED', value: ctx.choose(tlsOn, 'true', 'false') },
                { name: 'TLS_DIR', value: PATHS.tls },
                ...props.env,
              ),
              resources: ctx.json(job.resources),
              volumeMounts: ctx.list<Valued<IVolumeMount>>(
                { name: 'scripts', mountPath: MAINTENANCE_PATHS.scripts, readOnly: true },
                { name: 'secrets', mountPath: MAINTENANCE_PATHS.secrets, readOnly: true },
                { name: 'tmp', mountPath: MAINTENANCE_PATHS.tmp },
                ...(props.extraMounts ?? []),
                ctx.optional(tlsOn, { name: 'tls', mountPath: PATHS.tls, readOnly: true }),
              ),
            },
            volumes: [
              { name: 'scripts', configMap: { name: n.scripts, defaultMode: 0o555 } },
              { name: 'secrets', secret: { secretName: authSecretName(ctx), defaultMode: 0o440, items: passwords } },
              { name: 'tmp', emptyDir: { sizeLimit: '64Mi' } },
              ...(props.extraVolumes ?? []),
              // Only the CA: the jobs verify the servers and present no certificate.
              ctx.optional(tlsOn, {
                name: 'tls',
                secret: { secretName: tlsSecretName(ctx, 'redis'), defaultMode: 0o440, items: [{ key: 'ca.crt', path: 'ca.crt' }] },
              }),
            ],
          }),
        },
      },
    },
  });
}
