import { Construct } from 'constructs';
import { IStatefulSet } from 'kubernetes-models/apps/v1/StatefulSet';
import { at, ne } from '../../config/expr';
import { RenderContext } from '../../render/context';
import { exporterContainer } from '../monitoring/exporter';
import { manifest } from '../shared/api-object';
import { metadata, selectorLabels, labels } from '../shared/naming';
import { REDIS_UID, containerSecurityContext, podSecurityContext } from '../shared/pod-security';
import { PATHS, REDIS_PORT, authSecretName, names, scriptEnvironment } from './contract';
import { tlsSecretName } from '../tls/names';
import { dataStorage, execProbe, scriptVolumeMounts, scriptVolumes, spreading } from './pod-parts';

/** The Redis data nodes: pod 0 is master at first boot, the sentinels decide after that. */
export class RedisStatefulSet extends Construct {
  constructor(scope: Construct, id: string, ctx: RenderContext) {
    super(scope, id);
    const v = ctx.values.redis;
    const n = names(ctx);
    const storage = dataStorage(ctx, 'redis.persistence', v.persistence);
    manifest<IStatefulSet>(this, 'statefulset', {
      apiVersion: 'apps/v1',
      kind: 'StatefulSet',
      metadata: metadata(ctx, 'redis', 'redis'),
      spec: {
        serviceName: n.redisHeadless,
        replicas: v.replicas,
        podManagementPolicy: 'Parallel',
        updateStrategy: { type: 'RollingUpdate' },
        selector: { matchLabels: selectorLabels(ctx, 'redis') },
        volumeClaimTemplates: storage.volumeClaimTemplates as any,
        template: {
          metadata: { labels: labels(ctx, 'redis') },
          spec: {
            serviceAccountName: n.redis,
            automountServiceAccountToken: false,
            enableServiceLinks: false,
            terminationGracePeriodSeconds: v.terminationGracePeriodSeconds,
            securityContext: podSecurityContext(REDIS_UID),
            ...spreading(ctx, 'redis', 'redis.topologySpread', v.topologySpread),
            containers: [
              {
                name: 'redis',
                image: `${v.image.repository}:${v.image.tag}`,
                imagePullPolicy: v.image.pullPolicy,
                command: ['sh', `${PATHS.scripts}/redis-start.sh`],
                env: scriptEnvironment(ctx, 'redis'),
                ports: [{ name: 'redis', containerPort: REDIS_PORT, protocol: 'TCP' }],
                // The start script may wait for the sentinels or load a large AOF.
                startupProbe: execProbe('redis-probe.sh', 'liveness', 5, 120),
                livenessProbe: execProbe('redis-probe.sh', 'liveness', 10, 3),
                readinessProbe: execProbe('redis-probe.sh', 'readiness', 5, 2, 3),
                lifecycle: { preStop: { exec: { command: ['sh', `${PATHS.scripts}/redis-prestop.sh`] } } },
                resources: ctx.json(v.resources),
                securityContext: containerSecurityContext(REDIS_UID),
                volumeMounts: scriptVolumeMounts(ctx),
              },
              ...ctx.list(ctx.optional(ne(at('monitoring.mode'), 'off'), exporterContainer(ctx, 'redis'))),
            ],
            volumes: ctx.list(...scriptVolumes(ctx, n.config, n.scripts, authSecretName(ctx), tlsSecretName(ctx, 'redis')), storage.emptyDirVolume),
          },
        },
      },
    });
  }
}
