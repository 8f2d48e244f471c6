import { z } from 'zod';
import { kubernetesName, labelMap, section, sharedSection } from '../types';

/**
 * Settings every workload shares (Redis, Sentinel, Infinispan, the maintenance jobs, the standalone
 * monitoring servers): image, scheduling, pod extensions, ServiceAccount, security contexts. One
 * definition here, one implementation in src/components/shared/workload.ts.
 */

/** An object of the Kubernetes API given as values: checked by the API server, here only its shape. */
// Without required fields it is a map, so values.schema.json declares no (empty) key list for an open object.
export const kubernetesObject = (what: string, required: Record<string, z.ZodType> = {}) =>
  (Object.keys(required).length ? z.looseObject(required) : z.record(z.string(), z.unknown())).describe(what);

export const annotationMap = z.record(z.string().regex(/^([a-z0-9.-]+\/)?[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$/, 'an annotation key'), z.string());

/** Pull secret names. */
export const pullSecrets = (description: string) => z.array(kubernetesName).default([]).describe(description);

/**
 * A container image: `[registry/]repository[:tag][@digest]`. global.imageRegistry, when set, replaces
 * every image's registry (one value for an air-gapped install); a digest wins over the tag.
 */
export const image = (registry: string, repository: string, tag: string) =>
  section({
    registry: z.string().regex(/^$|^[a-z0-9]([-a-z0-9.]*[a-z0-9])?(:[0-9]+)?$/, 'a registry host such as docker.io or registry.example.com:5000').default(registry).describe('Image registry ("" = none; global.imageRegistry, when set, replaces it)'),
    repository: z.string().regex(/^[a-z0-9]+([._-][a-z0-9]+)*(\/[a-z0-9]+([._-][a-z0-9]+)*)*$/, 'an image repository such as library/redis').default(repository).describe('Image repository'),
    tag: z.string().regex(/^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$/, 'an image tag such as 7.2.11').default(tag).describe('Image tag (ignored when digest is set)'),
    digest: z.string().regex(/^$|^sha256:[a-f0-9]{64}$/, 'a digest such as sha256:<64 hex digits>').default('').describe('Image digest; wins over the tag'),
    pullPolicy: z.enum(['Always', 'IfNotPresent', 'Never']).default('IfNotPresent').describe('Image pull policy'),
    pullSecrets: pullSecrets('Secrets (names) to pull this image with, added to global.imagePullSecrets'),
  });

const toleration = z.looseObject({
  key: z.string().optional(),
  operator: z.enum(['Exists', 'Equal']).optional(),
  value: z.string().optional(),
  effect: z.enum(['NoSchedule', 'PreferNoSchedule', 'NoExecute']).optional(),
  tolerationSeconds: z.int().optional(),
});

const named = { name: z.string().min(1) };

/** Which nodes a workload's pods may run on (spread into its section; podSettings has them too). */
export function nodePlacement(what: string) {
  return {
    nodeSelector: labelMap.default({}).describe(`Node labels the ${what} pods must run on`),
    tolerations: z.array(toleration).default([]).describe(`Tolerations of the ${what} pods (Kubernetes Toleration objects)`),
  };
}

/** The scheduling and pod-extension keys of a workload (spread into its section). */
export function podSettings(what: string, { terminationGracePeriodSeconds }: { terminationGracePeriodSeconds: number }) {
  return {
    ...nodePlacement(what),
    affinity: section({
      nodeAffinity: kubernetesObject('NodeAffinity of the pods').default({}).describe(`nodeAffinity of the ${what} pods`),
      podAffinity: kubernetesObject('PodAffinity of the pods').default({}).describe(`podAffinity of the ${what} pods`),
      podAntiAffinity: kubernetesObject('PodAntiAffinity of the pods').default({}).describe(`podAntiAffinity of the ${what} pods; when set it replaces the default preferred anti-affinity of topologySpread (nodeAffinity and podAffinity are added to it)`),
    }),
    topologySpreadConstraints: z.array(kubernetesObject('A TopologySpreadConstraint', { topologyKey: z.string().min(1), maxSkew: z.int().min(1) })).default([]).describe(`topologySpreadConstraints of the ${what} pods; when set they replace the constraint of topologySpread`),
    priorityClassName: z.string().regex(/^$|^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/, 'a PriorityClass name').default('').describe(`PriorityClass of the ${what} pods ("" = the cluster default)`),
    schedulerName: z.string().regex(/^$|^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/, 'a scheduler name').default('').describe(`Scheduler of the ${what} pods ("" = the default scheduler)`),
    terminationGracePeriodSeconds: z.int().min(1).default(terminationGracePeriodSeconds).describe(`Seconds a ${what} pod has to stop before it is killed`),
    podAnnotations: annotationMap.default({}).describe(`Annotations of the ${what} pods (only the pods: changing them restarts the pods)`),
    podLabels: labelMap.default({}).describe(`Extra labels of the ${what} pods (the chart's own app.kubernetes.io labels cannot be overridden)`),
    extraEnvVars: z.array(kubernetesObject('An EnvVar', named)).default([]).describe(`Extra environment variables of the ${what} container (Kubernetes EnvVar objects)`),
    extraEnvVarsCM: kubernetesName.or(z.literal('')).default('').describe(`ConfigMap whose keys become environment variables of the ${what} container ("" = none)`),
    extraEnvVarsSecret: kubernetesName.or(z.literal('')).default('').describe(`Secret whose keys become environment variables of the ${what} container ("" = none)`),
    extraVolumes: z.array(kubernetesObject('A Volume', named)).default([]).describe(`Extra volumes of the ${what} pods (Kubernetes Volume objects)`),
    extraVolumeMounts: z.array(kubernetesObject('A VolumeMount', { name: z.string().min(1), mountPath: z.string().min(1) })).default([]).describe(`Extra volume mounts of the ${what} container`),
    sidecars: z.array(kubernetesObject('A Container', { name: z.string().min(1), image: z.string().min(1) })).default([]).describe(`Extra containers of the ${what} pods (they must be Pod Security "restricted" too)`),
    initContainers: z.array(kubernetesObject('A Container', { name: z.string().min(1), image: z.string().min(1) })).default([]).describe(`Init containers of the ${what} pods (they must be Pod Security "restricted" too)`),
    serviceAccount: section({
      create: z.boolean().default(true).describe(`Create a ServiceAccount for the ${what} pods`),
      name: kubernetesName.or(z.literal('')).default('').describe('Name of the ServiceAccount ("" = <fullname>-<component> when created, else "default")'),
      annotations: annotationMap.default({}).describe('Annotations of the created ServiceAccount (e.g. eks.amazonaws.com/role-arn for IRSA, iam.gke.io/gcp-service-account for Workload Identity)'),
      automount: z.boolean().default(false).describe('Mount the ServiceAccount token into the pods (none of the chart\'s processes talks to the Kubernetes API)'),
    }),
    podSecurityContext: kubernetesObject('A PodSecurityContext').default({}).describe(`Fields added to the ${what} pods' securityContext, or changing it (e.g. runAsUser for another image); false and 0 cannot switch the restricted settings off`),
    containerSecurityContext: kubernetesObject('A SecurityContext').default({}).describe(`Fields added to the ${what} container's securityContext, or changing it; false and 0 cannot switch the restricted settings off`),
  };
}

export const global = sharedSection({
  imageRegistry: z.string().regex(/^$|^[a-z0-9]([-a-z0-9.]*[a-z0-9])?(:[0-9]+)?(\/[a-z0-9._-]+)*$/, 'a registry such as registry.example.com or registry.example.com:5000/mirror').default('').describe('Registry of every image, replacing each image\'s own registry (one value for an air-gapped install; "" = each image\'s registry)'),
  imagePullSecrets: pullSecrets('Secrets (names) every pod pulls its images with'),
  openshift: z.boolean().default(false).describe('OpenShift: leave runAsUser, runAsGroup and fsGroup out, so that the restricted-v2 SCC assigns them from the namespace range (everything else stays Pod Security "restricted")'),
}).describe('Values shared with subcharts: an umbrella chart may set these for every chart (Helm passes global to each); keys of other charts in global are ignored');
