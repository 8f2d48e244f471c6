import { Construct } from 'constructs';
import { IContainer } from 'kubernetes-models/v1/Container';
import { IPodSpec } from 'kubernetes-models/v1/PodSpec';
import { IEnvFromSource } from 'kubernetes-models/v1/EnvFromSource';
import { IServiceAccount } from 'kubernetes-models/v1/ServiceAccount';
import { IVolume } from 'kubernetes-models/v1/Volume';
import { ConfigPath, Operand, Pred, any, at, choose, concat, filled, merge, orElse, truthy } from '../../config/expr';
import { Fields, RenderContext, Section, Valued } from '../../render/context';
import { manifest } from './api-object';
import { ImagePath, pullSecretNames } from './images';
import { FULLNAME, labelsOf, metadata, objectAnnotationsOf } from './naming';
import { containerSecurityContext, podSecurityContext } from './pod-security';
import { Spreading } from './scheduling';

/**
 * A workload's pod, made the same way for every workload (Redis, Sentinel, Infinispan, the maintenance
 * jobs, the standalone monitoring servers): the component's own containers and volumes plus what the
 * values add (src/config/sections/workload.ts podSettings): scheduling, ServiceAccount, security
 * contexts merged over the restricted ones, pull secrets, extra env/volumes/mounts, sidecars and init
 * containers, pod labels and annotations.
 */

/** A section of the values with the pod settings (e.g. `redis`, `redis.sentinel`, `maintenance`). */
export type WorkloadPath = 'redis' | 'redis.sentinel' | 'redis.masterEndpoint' | 'infinispan' | 'maintenance' | 'monitoring.standalone.prometheus' | 'monitoring.standalone.alertmanager' | 'monitoring.standalone.grafana';

interface WorkloadValues {
  readonly nodeSelector: Record<string, string>;
  readonly tolerations: unknown[];
  readonly affinity: { readonly nodeAffinity: object; readonly podAffinity: object; readonly podAntiAffinity: object };
  readonly topologySpreadConstraints: unknown[];
  readonly priorityClassName: string;
  readonly schedulerName: string;
  readonly terminationGracePeriodSeconds: number;
  readonly podAnnotations: Record<string, string>;
  readonly extraEnvVars: unknown[];
  readonly extraEnvVarsCM: string;
  readonly extraEnvVarsSecret: string;
  readonly extraVolumes: unknown[];
  readonly extraVolumeMounts: unknown[];
  readonly sidecars: unknown[];
  readonly initContainers: unknown[];
  readonly serviceAccount: { readonly create: boolean; readonly name: string; readonly annotations: Record<string, string>; readonly automount: boolean };
}

const key = (path: WorkloadPath, name: string) => `${path}.${name}` as ConfigPath;

/** The ServiceAccount name: serviceAccount.name, else `<fullname>-<component>` when created, else "default". */
export function serviceAccountName(path: WorkloadPath, component: string): Operand<string> {
  return orElse(at(key(path, 'serviceAccount.name')) as Operand<string>, choose(truthy(key(path, 'serviceAccount.create')), concat(FULLNAME, `-${component}`), 'default'));
}

/** The workload's ServiceAccount (when serviceAccount.create): annotations from the values (IRSA, Workload Identity). */
export function workloadServiceAccount(scope: Construct, ctx: RenderContext, path: WorkloadPath, component: string) {
  const guarded = ctx.guard(scope, `${component}-sa-guard`, truthy(key(path, 'serviceAccount.create')));
  if (!guarded) return;
  const values = ctx.at(path) as unknown as Section<WorkloadValues>;
  const meta = metadata(ctx, component, component);
  manifest<IServiceAccount>(guarded, `${component}-sa`, {
    apiVersion: 'v1',
    kind: 'ServiceAccount',
    metadata: { ...meta, name: ctx.value(serviceAccountName(path, component)), annotations: objectAnnotationsOf(ctx, at(key(path, 'serviceAccount.annotations')) as Operand<Record<string, string>>) },
    automountServiceAccountToken: values.serviceAccount.automount,
  });
}

export interface PodParts {
  /** The component label of the pods. */
  readonly component: string;
  /** User and group the images run as (left to the SCC with global.openshift). */
  readonly uid: number;
  /** The main container: it gets the extra env vars, mounts and the containerSecurityContext values. */
  readonly main: Fields<IContainer>;
  /** Other containers of the chart in the pod (e.g. the exporter), before the sidecars. */
  readonly others?: readonly (Valued<IContainer> | undefined)[];
  readonly volumes: readonly (Valued<IVolume> | undefined)[];
  /** The images of the pod, for its pull secrets. */
  readonly images: readonly ImagePath[];
  /** The default spreading (shared/scheduling.ts), which affinity and topologySpreadConstraints may replace. */
  readonly spread?: Spreading;
  /** Further pod spec fields (restartPolicy, enableServiceLinks, …). */
  readonly spec?: Partial<Fields<IPodSpec>>;
}

/** The pod template of a workload: metadata and spec. */
export function podTemplate(ctx: RenderContext, path: WorkloadPath, parts: PodParts) {
  const v = ctx.at(path) as unknown as Section<WorkloadValues>;
  const has = (name: string) => truthy(key(path, name));
  const main: Fields<IContainer> = {
    ...parts.main,
    env: ctx.list(...((parts.main.env ?? []) as unknown[]), ctx.spread(v.extraEnvVars)) as Fields<IContainer>['env'],
    envFrom: ctx.optional(
      any(has('extraEnvVarsCM'), has('extraEnvVarsSecret')),
      ctx.list<Valued<IEnvFromSource>>(
        ctx.optional(has('extraEnvVarsCM'), { configMapRef: { name: v.extraEnvVarsCM } }),
        ctx.optional(has('extraEnvVarsSecret'), { secretRef: { name: v.extraEnvVarsSecret } }),
      ),
    ),
    volumeMounts: ctx.list(...((parts.main.volumeMounts ?? []) as unknown[]), ctx.spread(v.extraVolumeMounts)) as Fields<IContainer>['volumeMounts'],
    securityContext: containerSecurityContext(ctx, parts.uid, key(path, 'containerSecurityContext')),
  };
  const pullSecrets = pullSecretNames(parts.images);
  const spread = parts.spread;
  return {
    metadata: {
      labels: ctx.value(merge(labelsOf(parts.component), at(key(path, 'podLabels')) as Operand<Record<string, string>>)),
      annotations: ctx.optional(has('podAnnotations'), v.podAnnotations),
    },
    spec: {
      serviceAccountName: ctx.value(serviceAccountName(path, parts.component)),
      automountServiceAccountToken: v.serviceAccount.automount,
      enableServiceLinks: false,
      ...parts.spec,
      imagePullSecrets: ctx.optional(filled(pullSecrets), ctx.list(ctx.spreadNames(pullSecrets, 'name'))),
      securityContext: podSecurityContext(ctx, parts.uid, key(path, 'podSecurityContext')),
      terminationGracePeriodSeconds: v.terminationGracePeriodSeconds,
      priorityClassName: ctx.optional(has('priorityClassName'), v.priorityClassName),
      schedulerName: ctx.optional(has('schedulerName'), v.schedulerName),
      nodeSelector: ctx.optional(has('nodeSelector'), v.nodeSelector),
      tolerations: ctx.optional(has('tolerations'), v.tolerations),
      ...scheduling(ctx, path, v, spread),
      initContainers: ctx.optional(has('initContainers'), v.initContainers),
      containers: ctx.list(main, ...(parts.others ?? []), ctx.spread(v.sidecars)),
      volumes: ctx.list(...parts.volumes, ctx.spread(v.extraVolumes)),
    } as Fields<IPodSpec>,
  };
}

/**
 * Affinity merged per kind: nodeAffinity and podAffinity from the values are added; podAntiAffinity from
 * the values replaces the default preferred anti-affinity. topologySpreadConstraints from the values
 * replace the default constraint.
 */
function scheduling(ctx: RenderContext, path: WorkloadPath, v: Section<WorkloadValues>, spread: PodParts['spread']) {
  const has = (name: string) => truthy(key(path, name));
  const node = has('affinity.nodeAffinity');
  const pod = has('affinity.podAffinity');
  const anti = has('affinity.podAntiAffinity');
  const spreadOn = spread?.enabled;
  const antiAffinity = spread ? ctx.choose<unknown>(anti, v.affinity.podAntiAffinity, spread.antiAffinity) : v.affinity.podAntiAffinity;
  const anyAffinity: Pred = { any: [node, pod, anti, ...(spreadOn ? [spreadOn] : [])] };
  return {
    affinity: ctx.optional(anyAffinity, {
      nodeAffinity: ctx.optional(node, v.affinity.nodeAffinity),
      podAffinity: ctx.optional(pod, v.affinity.podAffinity),
      podAntiAffinity: ctx.optional(spreadOn ? { any: [anti, spreadOn] } : anti, antiAffinity),
    }),
    topologySpreadConstraints: ctx.optional(
      spreadOn ? { any: [has('topologySpreadConstraints'), spreadOn] } : has('topologySpreadConstraints'),
      spread ? ctx.choose<unknown>(has('topologySpreadConstraints'), v.topologySpreadConstraints, spread.constraints) : v.topologySpreadConstraints,
    ),
  };
}

