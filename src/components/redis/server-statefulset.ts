import { Construct } from 'constructs';
import { IStatefulSet } from 'kubernetes-models/apps/v1/StatefulSet';
import { monitoringOn } from '../../config/predicates';
import { RenderContext } from '../../render/context';
import { exporterContainer } from '../monitoring/exporter';
import { manifest } from '../shared/api-object';
import { metadata, selectorLabels } from '../shared/naming';
import { REDIS_UID, scannerNotes } from '../shared/pod-security';
import { podTemplate } from '../shared/workload';
import { tlsSecretName } from '../tls/names';
import { PATHS, REDIS_PORT, SENTINEL_PORT, authSecretName, names, scriptEnvironment } from './contract';
import { dataStorage, execProbe, scriptVolumeMounts, scriptVolumes } from './pod-parts';
import { containerImage } from '../shared/images';
import { spreading } from '../shared/scheduling';

export type ServerRole = 'redis' | 'sentinel';

/** What differs between the Redis data nodes and the Sentinels; everything else is shared. */
function roleSpec(ctx: RenderContext, role: ServerRole) {
  const n = names(ctx);
  if (role === 'redis') {
    const v = ctx.values.redis;
    return {
      values: v,
      path: 'redis' as const,
      persistence: 'redis.persistence' as const,
      topologySpread: 'redis.topologySpread' as const,
      headless: n.redisHeadless,
      port: REDIS_PORT,
      // The start script may wait for the sentinels or load a large AOF.
      startupFailureThreshold: 120,
      // A master hands mastership over before it stops.
      lifecycle: { preStop: { exec: { command: ['sh', `${PATHS.scripts}/redis-prestop.sh`] } } },
    };
  }
  const v = ctx.values.redis.sentinel;
  return {
    values: v,
    path: 'redis.sentinel' as const,
    persistence: 'redis.sentinel.persistence' as const,
    topologySpread: 'redis.sentinel.topologySpread' as const,
    headless: n.sentinelHeadless,
    port: SENTINEL_PORT,
    startupFailureThreshold: 60,
    lifecycle: undefined,
  };
}

/**
 * The StatefulSet of a server role. Redis: pod 0 is master at first boot, the sentinels
 * decide after that. Sentinel: its state (current master, epochs) survives restarts on its volume.
 */
export class ServerStatefulSet extends Construct {
  constructor(scope: Construct, id: string, ctx: RenderContext, role: ServerRole) {
    super(scope, id);
    const spec = roleSpec(ctx, role);
    const v = spec.values;
    const n = names(ctx);
    const storage = dataStorage(ctx, spec.persistence);
    manifest<IStatefulSet>(this, 'statefulset', {
      apiVersion: 'apps/v1',
      kind: 'StatefulSet',
      metadata: metadata(ctx, role, role, scannerNotes({ secretEnv: 'redis_exporter takes its password only from REDIS_PASSWORD; Redis and Sentinel read theirs from files' })),
      spec: {
        serviceName: spec.headless,
        replicas: v.replicas,
        podManagementPolicy: 'Parallel',
        updateStrategy: { type: 'RollingUpdate' },
        selector: { matchLabels: selectorLabels(ctx, role) },
        volumeClaimTemplates: storage.volumeClaimTemplates,
        persistentVolumeClaimRetentionPolicy: ctx.json(v.persistence.persistentVolumeClaimRetentionPolicy),
        template: podTemplate(ctx, spec.path, {
          component: role,
          uid: REDIS_UID,
          images: [`${spec.path}.image`, 'monitoring.exporter.image'],
          spread: spreading(ctx, role, spec.topologySpread),
          main: {
            name: role,
            ...containerImage(ctx, `${spec.path}.image`),
            command: ['sh', `${PATHS.scripts}/${role}-start.sh`],
            env: scriptEnvironment(ctx, role),
            ports: [{ name: role, containerPort: spec.port, protocol: 'TCP' }],
            startupProbe: execProbe(`${role}-probe.sh`, 'liveness', 5, spec.startupFailureThreshold),
            livenessProbe: execProbe(`${role}-probe.sh`, 'liveness', 10, 3),
            readinessProbe: execProbe(`${role}-probe.sh`, 'readiness', 5, 2, 3),
            lifecycle: spec.lifecycle,
            resources: ctx.json(v.resources),
            volumeMounts: scriptVolumeMounts(ctx, role),
          },
          others: [ctx.optional(monitoringOn, exporterContainer(ctx, role))],
          volumes: [...scriptVolumes(ctx, role, n.config, n.scripts, authSecretName(ctx), tlsSecretName(ctx, role)), storage.emptyDirVolume],
        }),
      },
    });
  }
}
