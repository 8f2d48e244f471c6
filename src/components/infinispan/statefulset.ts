import { Construct } from 'constructs';
import { IStatefulSet } from 'kubernetes-models/apps/v1/StatefulSet';
import { IVolume } from 'kubernetes-models/v1/Volume';
import { truthy } from '../../config/expr';
import { tlsOn } from '../../config/predicates';

const adminOn = truthy('infinispan.auth.admin.enabled');
import { RenderContext, Valued } from '../../render/context';
import { authSecretName } from '../redis/contract';
import { spreading } from '../shared/scheduling';
import { containerImage } from '../shared/images';
import { claimSpec, claimTemplateAnnotations } from '../shared/storage';
import { manifest } from '../shared/api-object';
import { metadata, selectorLabels } from '../shared/naming';
import { podTemplate } from '../shared/workload';
import {
  HEALTH_PATH, INFINISPAN_UID, ISPN_HOME, PATHS, PORTS, PORT_NAMES, START_SCRIPT,
  infinispanNames, pingQuery,
} from './contract';

function healthProbe(ctx: RenderContext, periodSeconds: number, failureThreshold: number) {
  return {
    httpGet: { path: HEALTH_PATH, port: PORT_NAMES.client, scheme: ctx.choose<'HTTPS' | 'HTTP'>(tlsOn, 'HTTPS', 'HTTP') },
    periodSeconds,
    timeoutSeconds: 5,
    failureThreshold,
  };
}

/**
 * The Infinispan servers. Root filesystem read-only; every path the server, the CLI
 * and the JVM write is a volume: server/data (PVC: global state and file store),
 * server/log, /tmp (also HOME), the identities directory. The auth Secret is mounted
 * with only the two Infinispan keys, not the Redis passwords.
 */
export function infinispanStatefulSet(scope: Construct, ctx: RenderContext) {
  const v = ctx.values.infinispan;
  const n = infinispanNames(ctx);
  const secretVolume: Valued<IVolume> = {
    name: 'secrets',
    secret: {
      secretName: authSecretName(ctx),
      defaultMode: 0o440,
      items: ctx.list(
        { key: v.auth.usernameKey, path: v.auth.usernameKey },
        { key: v.auth.passwordKey, path: v.auth.passwordKey },
        ctx.optional(adminOn, { key: v.auth.admin.usernameKey, path: v.auth.admin.usernameKey }),
        ctx.optional(adminOn, { key: v.auth.admin.passwordKey, path: v.auth.admin.passwordKey }),
      ),
    },
  };
  manifest<IStatefulSet>(scope, 'statefulset', {
    apiVersion: 'apps/v1',
    kind: 'StatefulSet',
    metadata: metadata(ctx, 'infinispan', 'infinispan'),
    spec: {
      serviceName: n.ping,
      replicas: v.replicas,
      // One pod at a time, in order: `kubectl scale --replicas=0` stops the highest ordinal first, each pod
      // completely gone before the next, so pod 0, stopped last, ends up holding every session in its file
      // store; a start from zero brings pod 0 up alone (it preloads them all) before the others join and
      // take their share from it. Stopping all at once loses sessions (docs/infinispan.md, "Stopping and
      // starting the whole cluster"; test/infinispan/live/restart.test.ts). Members still find each other
      // through the ping Service, which publishes pods that are not Ready.
      podManagementPolicy: 'OrderedReady',
      updateStrategy: { type: 'RollingUpdate' },
      selector: { matchLabels: selectorLabels(ctx, 'infinispan') },
      volumeClaimTemplates: [
        {
          metadata: { name: 'data', annotations: claimTemplateAnnotations(ctx, 'infinispan.persistence') },
          spec: claimSpec(ctx, 'infinispan.persistence'),
        },
      ],
      persistentVolumeClaimRetentionPolicy: ctx.json(v.persistence.persistentVolumeClaimRetentionPolicy),
      template: podTemplate(ctx, 'infinispan', {
        component: 'infinispan',
        uid: INFINISPAN_UID,
        images: ['infinispan.image'],
        spread: spreading(ctx, 'infinispan', 'infinispan.topologySpread'),
        main: {
              name: 'infinispan',
              ...containerImage(ctx, 'infinispan.image'),
              command: ['/bin/sh', `${PATHS.config}/${START_SCRIPT}`],
              env: ctx.list(
                { name: 'POD_NAME', valueFrom: { fieldRef: { fieldPath: 'metadata.name' } } },
                { name: 'POD_IP', valueFrom: { fieldRef: { fieldPath: 'status.podIP' } } },
                // Hot Rod and REST on every interface of the pod (probes, Services, port-forward).
                { name: 'BIND_ADDRESS', value: '0.0.0.0' },
                { name: 'ISPN_HOME', value: ISPN_HOME },
                { name: 'HOME', value: PATHS.tmp },
                { name: 'JAVA_OPTIONS', value: v.javaOptions },
                { name: 'JGROUPS_DNS_QUERY', value: pingQuery(ctx) },
                { name: 'CONFIG_DIR', value: PATHS.config },
                { name: 'SECRETS_DIR', value: PATHS.secrets },
                { name: 'USERNAME_KEY', value: v.auth.usernameKey },
                { name: 'PASSWORD_KEY', value: v.auth.passwordKey },
                { name: 'IDENTITIES_DIR', value: PATHS.identities },
                ctx.optional(adminOn, { name: 'ADMIN_USERNAME_KEY', value: v.auth.admin.usernameKey }),
                ctx.optional(adminOn, { name: 'ADMIN_PASSWORD_KEY', value: v.auth.admin.passwordKey }),
                ctx.optional(tlsOn, { name: 'TLS_DIR', value: PATHS.tls }),
              ),
              ports: [
                { name: PORT_NAMES.client, containerPort: PORTS.client, protocol: 'TCP' },
                { name: PORT_NAMES.jgroups, containerPort: PORTS.jgroups, protocol: 'TCP' },
                { name: PORT_NAMES.failureDetection, containerPort: PORTS.failureDetection, protocol: 'TCP' },
              ],
              // Start: identities, JVM start, joining, state transfer and preload of the file store.
              startupProbe: healthProbe(ctx, 10, 60),
              livenessProbe: healthProbe(ctx, 10, 6),
              readinessProbe: healthProbe(ctx, 10, 3),
              resources: ctx.json(v.resources),
              volumeMounts: ctx.list<{ name: string; mountPath: string; readOnly?: boolean }>(
                { name: 'config', mountPath: PATHS.config, readOnly: true },
                { name: 'secrets', mountPath: PATHS.secrets, readOnly: true },
                { name: 'identities', mountPath: PATHS.identities },
                { name: 'data', mountPath: PATHS.data },
                { name: 'log', mountPath: PATHS.log },
                { name: 'tmp', mountPath: PATHS.tmp },
                ctx.optional(tlsOn, { name: 'tls', mountPath: PATHS.tls, readOnly: true }),
              ),
        },
        volumes: [
            { name: 'config', configMap: { name: n.config, defaultMode: 0o444 } },
            secretVolume,
            { name: 'identities', emptyDir: { medium: 'Memory', sizeLimit: '4Mi' } },
            { name: 'log', emptyDir: { sizeLimit: '256Mi' } },
            { name: 'tmp', emptyDir: { sizeLimit: '256Mi' } },
            ctx.optional<Valued<IVolume>>(tlsOn, { name: 'tls', secret: { secretName: n.tlsSecret, defaultMode: 0o440 } }),
        ],
      }),
    },
  });
}
