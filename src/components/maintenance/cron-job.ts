import { Construct } from 'constructs';
import { ICronJob } from 'kubernetes-models/batch/v1/CronJob';
import { IEnvVar } from 'kubernetes-models/v1/EnvVar';
import { IVolume } from 'kubernetes-models/v1/Volume';
import { IVolumeMount } from 'kubernetes-models/v1/VolumeMount';
import { truthy } from '../../config/expr';
import { RenderContext } from '../../render/context';
import { PATHS } from '../redis/contract';
import { tlsSecretName } from '../tls/names';
import { AclUser, authSecretName } from '../redis/contract';
import { manifest } from '../shared/api-object';
import { metadata, selectorLabels } from '../shared/naming';
import { REDIS_UID, containerSecurityContext, podSecurityContext } from '../shared/pod-security';
import { DISCOVERY_USER, MAINTENANCE_PATHS, connectionEnvironment, maintenanceNames } from './contract';

/** The config keys every maintenance job has (see jobShape in src/config/schema.ts). */
export interface JobValues {
  readonly schedule: string;
  readonly activeDeadlineSeconds: number;
  readonly backoffLimit: number;
  readonly successfulJobsHistoryLimit: number;
  readonly failedJobsHistoryLimit: number;
  readonly resources: object;
}

export interface MaintenanceJobProps {
  /** Object name suffix and container name: session-cleanup, cache-cleanup, backup. */
  readonly name: string;
  readonly script: string;
  readonly values: JobValues;
  /** The one ACL user the job works as; only its password and the discovery user's are mounted. */
  readonly user: AclUser;
  readonly env: IEnvVar[];
  readonly extraVolumes?: IVolume[];
  readonly extraMounts?: IVolumeMount[];
}

/**
 * A maintenance CronJob on the stock Redis image: `sh <script>` from the ConfigMap,
 * never two at once, bounded in time and retries, Pod Security "restricted".
 */
export function maintenanceCronJob(scope: Construct, ctx: RenderContext, props: MaintenanceJobProps) {
  const image = ctx.values.redis.image;
  const n = maintenanceNames(ctx);
  const passwords = [props.user, DISCOVERY_USER].map((u) => ({ key: `${u}-password`, path: `${u}-password` }));
  manifest<ICronJob>(scope, props.name, {
    apiVersion: 'batch/v1',
    kind: 'CronJob',
    metadata: metadata(ctx, props.name, 'maintenance'),
    spec: {
      schedule: props.values.schedule,
      concurrencyPolicy: 'Forbid',
      startingDeadlineSeconds: 300,
      successfulJobsHistoryLimit: props.values.successfulJobsHistoryLimit,
      failedJobsHistoryLimit: props.values.failedJobsHistoryLimit,
      jobTemplate: {
        metadata: { labels: selectorLabels(ctx, 'maintenance') },
        spec: {
          backoffLimit: props.values.backoffLimit,
          activeDeadlineSeconds: props.values.activeDeadlineSeconds,
          template: {
            metadata: { labels: selectorLabels(ctx, 'maintenance') },
            spec: {
              serviceAccountName: n.serviceAccount,
              automountServiceAccountToken: false,
              enableServiceLinks: false,
              restartPolicy: 'Never',
              securityContext: podSecurityContext(REDIS_UID),
              containers: [
                {
                  name: props.name,
                  image: `${image.repository}:${image.tag}`,
                  imagePullPolicy: image.pullPolicy,
                  command: ['sh', `${MAINTENANCE_PATHS.scripts}/${props.script}`],
                  env: [
                    ...connectionEnvironment(ctx),
                    { name: 'TLS_ENABLED', value: ctx.choose(truthy('tls.enabled'), 'true', 'false') },
                    { name: 'TLS_DIR', value: PATHS.tls },
                    ...props.env,
                  ],
                  resources: ctx.json(props.values.resources) as any,
                  securityContext: containerSecurityContext(REDIS_UID),
                  volumeMounts: [
                    { name: 'scripts', mountPath: MAINTENANCE_PATHS.scripts, readOnly: true },
                    { name: 'secrets', mountPath: MAINTENANCE_PATHS.secrets, readOnly: true },
                    { name: 'tmp', mountPath: MAINTENANCE_PATHS.tmp },
                    ...(props.extraMounts ?? []),
                    ...ctx.list(ctx.optional(truthy('tls.enabled'), { name: 'tls', mountPath: PATHS.tls, readOnly: true })),
                  ],
                },
              ],
              volumes: [
                { name: 'scripts', configMap: { name: n.scripts, defaultMode: 0o555 } },
                { name: 'secrets', secret: { secretName: authSecretName(ctx), defaultMode: 0o440, items: passwords } },
                { name: 'tmp', emptyDir: { sizeLimit: '64Mi' } },
                ...(props.extraVolumes ?? []),
                // Only the CA: the jobs verify the servers and present no certificate.
                ...ctx.list(ctx.optional(truthy('tls.enabled'), {
                  name: 'tls',
                  secret: { secretName: tlsSecretName(ctx, 'redis'), defaultMode: 0o440, items: [{ key: 'ca.crt', path: 'ca.crt' }] },
                })),
              ],
            },
          },
        },
      },
    },
  });
}
