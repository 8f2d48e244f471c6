import { Construct } from 'constructs';
import { IStatefulSet } from 'kubernetes-models/apps/v1/StatefulSet';
import { at, ne } from '../../config/expr';
import { RenderContext } from '../../render/context';
import { exporterContainer } from '../monitoring/exporter';
import { manifest } from '../shared/api-object';
import { labels, metadata, selectorLabels } from '../shared/naming';
import { REDIS_UID, containerSecurityContext, podSecurityContext } from '../shared/pod-security';
import { PATHS, SENTINEL_PORT, authSecretName, names, scriptEnvironment } from './contract';
import { tlsSecretName } from '../tls/names';
import { dataStorage, execProbe, scriptVolumeMounts, scriptVolumes, spreading } from './pod-parts';

/** The Sentinels; their state (current master, epochs) survives restarts on their own volume. */
export class SentinelStatefulSet extends Construct {
  constructor(scope: Construct, id: string, ctx: RenderContext) {
    super(scope, id);
    const v = ctx.values.redis.sentinel;
    const n = names(ctx);
    const storage = dataStorage(ctx, 'redis.sentinel.persistence', v.persistence);
    manifest<IStatefulSet>(this, 'statefulset', {
      apiVersion: 'apps/v1',
      kind: 'StatefulSet',
      metadata: metadata(ctx, 'sentinel', 'sentinel'),
      spec: {
        serviceName: n.sentinelHeadless,
        replicas: v.replicas,
        podManagementPolicy: 'Parallel',
        updateStrategy: { type: 'RollingUpdate' },
        selector: { matchLabels: selectorLabels(ctx, 'sentinel') },
        volumeClaimTemplates: storage.volumeClaimTemplates as any,
        template: {
          metadata: { labels: labels(ctx, 'sentinel') },
          spec: {
            serviceAccountName: n.sentinel,
            automountServiceAccountToken: false,
            enableServiceLinks: false,
            terminationGracePeriodSeconds: 30,
            securityContext: podSecurityContext(REDIS_UID),
            ...spreading(ctx, 'sentinel', 'redis.sentinel.topologySpread', v.topologySpread),
            containers: [
              {
                name: 'sentinel',
                image: `${v.image.repository}:${v.image.tag}`,
                imagePullPolicy: v.image.pullPolicy,
                command: ['sh', `${PATHS.scripts}/sentinel-start.sh`],
                env: scriptEnvironment(ctx, 'sentinel'),
                ports: [{ name: 'sentinel', containerPort: SENTINEL_PORT, protocol: 'TCP' }],
                startupProbe: execProbe('sentinel-probe.sh', 'liveness', 5, 60),
                livenessProbe: execProbe('sentinel-probe.sh', 'liveness', 10, 3),
                readinessProbe: execProbe('sentinel-probe.sh', 'readiness', 5, 2, 3),
                resources: ctx.json(v.resources),
                securityContext: containerSecurityContext(REDIS_UID),
                volumeMounts: scriptVolumeMounts(ctx),
              },
              ...ctx.list(ctx.optional(ne(at('monitoring.mode'), 'off'), exporterContainer(ctx, 'sentinel'))),
            ],
            volumes: ctx.list(...scriptVolumes(ctx, n.config, n.scripts, authSecretName(ctx), tlsSecretName(ctx, 'sentinel')), storage.emptyDirVolume),
          },
        },
      },
    });
  }
}
