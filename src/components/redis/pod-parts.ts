import { IVolume } from 'kubernetes-models/v1/Volume';
import { not, truthy } from '../../config/expr';
import { RenderContext } from '../../render/context';
import { selectorLabels } from '../shared/naming';
import { PATHS } from './contract';

interface TopologyValues {
  readonly topologyKey: string;
  readonly whenUnsatisfiable: 'DoNotSchedule' | 'ScheduleAnyway';
}

interface PersistenceValues {
  readonly size: string;
  readonly storageClass: string;
}

/** Spread a component's pods over failure domains: a spread constraint plus preferred anti-affinity. */
export function spreading(ctx: RenderContext, component: string, valuesPath: string, topology: TopologyValues) {
  const enabled = truthy(`${valuesPath}.enabled`);
  const labelSelector = { matchLabels: selectorLabels(ctx, component) };
  return {
    topologySpreadConstraints: ctx.optional(enabled, [
      { maxSkew: 1, topologyKey: topology.topologyKey, whenUnsatisfiable: topology.whenUnsatisfiable, labelSelector },
    ]),
    affinity: ctx.optional(enabled, {
      podAntiAffinity: {
        preferredDuringSchedulingIgnoredDuringExecution: [
          { weight: 100, podAffinityTerm: { topologyKey: topology.topologyKey, labelSelector } },
        ],
      },
    }),
  };
}

/** The `data` volume: a claim per pod when persistence is on, an emptyDir otherwise. */
export function dataStorage(ctx: RenderContext, valuesPath: string, persistence: PersistenceValues) {
  const enabled = truthy(`${valuesPath}.enabled`);
  return {
    volumeClaimTemplates: ctx.optional(enabled, [
      {
        metadata: { name: 'data' },
        spec: {
          accessModes: ['ReadWriteOnce'],
          storageClassName: ctx.optional(truthy(`${valuesPath}.storageClass`), persistence.storageClass),
          resources: { requests: { storage: persistence.size } },
        },
      },
    ]),
    emptyDirVolume: ctx.optional<IVolume>(not(enabled), { name: 'data', emptyDir: {} }),
  };
}

/** Volumes every Redis/Sentinel pod mounts; the root filesystem stays read-only. */
export function scriptVolumes(ctx: RenderContext, configMap: string, scriptsMap: string, secretName: string, tlsSecret: string): IVolume[] {
  return ctx.list<IVolume>(
    { name: 'templates', configMap: { name: configMap, defaultMode: 0o444 } },
    { name: 'scripts', configMap: { name: scriptsMap, defaultMode: 0o555 } },
    { name: 'secrets', secret: { secretName, defaultMode: 0o440 } },
    { name: 'runtime', emptyDir: { medium: 'Memory', sizeLimit: '16Mi' } },
    { name: 'tmp', emptyDir: { sizeLimit: '64Mi' } },
    ctx.optional(truthy('tls.enabled'), { name: 'tls', secret: { secretName: tlsSecret, defaultMode: 0o440 } }),
  );
}

export const scriptVolumeMounts = (ctx: RenderContext) => ctx.list<{ name: string; mountPath: string; readOnly?: boolean }>(
  { name: 'templates', mountPath: PATHS.templates, readOnly: true },
  { name: 'scripts', mountPath: PATHS.scripts, readOnly: true },
  { name: 'secrets', mountPath: PATHS.secrets, readOnly: true },
  { name: 'runtime', mountPath: PATHS.runtime },
  { name: 'data', mountPath: PATHS.data },
  { name: 'tmp', mountPath: PATHS.tmp },
  ctx.optional(truthy('tls.enabled'), { name: 'tls', mountPath: PATHS.tls, readOnly: true }),
);

export function execProbe(script: string, arg: string, periodSeconds: number, failureThreshold: number, timeoutSeconds = 5) {
  return {
    exec: { command: ['sh', `${PATHS.scripts}/${script}`, arg] },
    periodSeconds,
    timeoutSeconds,
    failureThreshold,
  };
}
