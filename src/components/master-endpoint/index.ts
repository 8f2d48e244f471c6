import { Construct } from 'constructs';
import { IDeployment } from 'kubernetes-models/apps/v1/Deployment';
import { IService } from 'kubernetes-models/v1/Service';
import { truthy } from '../../config/expr';
import { tlsOn } from '../../config/predicates';
import { readAsset } from '../../render/assets';
import { RenderContext, Valued } from '../../render/context';
import { IVolume } from 'kubernetes-models/v1/Volume';
import { names as redisNames, podHost, authSecretName } from '../redis/contract';
import { passwordKey } from '../secrets/keys';
import { manifest } from '../shared/api-object';
import { disruptionBudget } from '../shared/disruption-budget';
import { containerImage } from '../shared/images';
import { fullname, metadata, selectorLabels } from '../shared/naming';
import { scannerNotes } from '../shared/pod-security';
import { spreading } from '../shared/scheduling';
import { clientService } from '../shared/service';
import { podTemplate, workloadServiceAccount } from '../shared/workload';
import { tlsSecretName } from '../tls/names';
import {
  CHECK_USER, COMPONENT, HAPROXY_UID, MASTER_PORT, METRICS_PORT, METRICS_PORT_NAME, PATHS, masterEndpointNames, masterEndpointOn, requireReplica, serverSlots,
} from './contract';

const FILES = 'src/components/master-endpoint/files';
export const MASTER_ENDPOINT_FILES = ['haproxy.cfg', 'start.sh'] as const;

/**
 * The master endpoint (redis.masterEndpoint, sentinel mode): HAProxy pods that route the
 * `<fullname>-master` Service to whichever Redis node reports role:master, the approach of the
 * redis-ha chart. Clients that do not speak Sentinel use it through REDIS_URL.
 */
export class MasterEndpoint extends Construct {
  constructor(scope: Construct, id: string, ctx: RenderContext) {
    super(scope, id);
    const on = ctx.guard(this, 'enabled', masterEndpointOn);
    if (!on) return;
    const v = ctx.values.redis.masterEndpoint;
    const n = masterEndpointNames(ctx);
    const redis = redisNames(ctx);

    manifest(on, 'config', {
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: metadata(ctx, COMPONENT, COMPONENT),
      data: {
        'haproxy.cfg': ctx.fill(readAsset(`${FILES}/haproxy.cfg`), { fullname: fullname(ctx), port: String(MASTER_PORT), metricsPort: String(METRICS_PORT) }),
        'start.sh': readAsset(`${FILES}/start.sh`),
      },
    });
    workloadServiceAccount(on, ctx, 'redis.masterEndpoint', COMPONENT);
    clientService(on, 'service', ctx, {
      path: 'redis.masterEndpoint.service',
      suffix: 'master',
      component: COMPONENT,
      ports: [{ name: 'redis', port: MASTER_PORT, targetPort: 'redis' }],
    });
    // Each pod's address for the standalone Prometheus (DNS A records); clients use <fullname>-master.
    manifest<IService>(on, 'headless', {
      apiVersion: 'v1',
      kind: 'Service',
      metadata: metadata(ctx, `${COMPONENT}-headless`, COMPONENT),
      spec: { clusterIP: 'None', ports: [{ name: METRICS_PORT_NAME, port: METRICS_PORT, targetPort: METRICS_PORT_NAME, protocol: 'TCP' }], selector: selectorLabels(ctx, COMPONENT) },
    });
    manifest<IDeployment>(on, 'deployment', {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: metadata(ctx, COMPONENT, COMPONENT, scannerNotes({
        runsAs: 'the image\'s haproxy user 99',
        secretEnv: 'HAProxy\'s health checks read the monitor password with env(MONITOR_PASSWORD) (haproxy.cfg)', // pragma: allowlist secret -- prose
      })),
      spec: {
        replicas: v.replicas,
        // Never fewer ready endpoints than wanted during a rollout.
        strategy: { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: 0, maxSurge: 1 } },
        selector: { matchLabels: selectorLabels(ctx, COMPONENT) },
        template: podTemplate(ctx, 'redis.masterEndpoint', {
          component: COMPONENT,
          uid: HAPROXY_UID,
          images: ['redis.masterEndpoint.image'],
          spread: spreading(ctx, COMPONENT, 'redis.masterEndpoint.topologySpread'),
          main: {
            name: COMPONENT,
            ...containerImage(ctx, 'redis.masterEndpoint.image'),
            command: ['sh', `${PATHS.files}/start.sh`],
            env: ctx.list(
              { name: 'POD_IP', valueFrom: { fieldRef: { fieldPath: 'status.podIP' } } },
              { name: 'MONITOR_PASSWORD', valueFrom: { secretKeyRef: { name: authSecretName(ctx), key: passwordKey(ctx, CHECK_USER) } } },
              { name: 'REDIS_HOST_PATTERN', value: podHost(ctx, `${redis.redis}-%d`, redis.redisHeadless) },
              { name: 'REDIS_NODES', value: ctx.asString(ctx.value(serverSlots)) },
              { name: 'REDIS_PORT', value: String(MASTER_PORT) },
              { name: 'REQUIRE_REPLICA', value: ctx.choose(requireReplica, 'true', 'false') },
              { name: 'TLS_ENABLED', value: ctx.choose(tlsOn, 'true', 'false') },
              { name: 'TLS_DIR', value: PATHS.tls },
              { name: 'CONFIG_TEMPLATE', value: `${PATHS.files}/haproxy.cfg` },
              { name: 'RUNTIME_DIR', value: PATHS.runtime },
            ),
            ports: [
              { name: 'redis', containerPort: MASTER_PORT, protocol: 'TCP' },
              { name: METRICS_PORT_NAME, containerPort: METRICS_PORT, protocol: 'TCP' },
            ],
            // Ready = the checks see exactly one master. 10 s of tolerance: a failover (a few seconds
            // without a master) does not take the endpoints away, HAProxy closes connections meanwhile.
            readinessProbe: { httpGet: { path: '/ready', port: METRICS_PORT_NAME }, periodSeconds: 2, timeoutSeconds: 2, failureThreshold: 5 },
            livenessProbe: { httpGet: { path: '/healthz', port: METRICS_PORT_NAME }, periodSeconds: 10, timeoutSeconds: 3, failureThreshold: 3 },
            // Endpoints drop the pod before HAProxy stops taking connections.
            lifecycle: { preStop: { exec: { command: ['sleep', '5'] } } },
            resources: ctx.json(v.resources),
            volumeMounts: ctx.list<{ name: string; mountPath: string; readOnly?: boolean }>(
              { name: 'files', mountPath: PATHS.files, readOnly: true },
              { name: 'runtime', mountPath: PATHS.runtime },
              ctx.optional(tlsOn, { name: 'tls', mountPath: PATHS.tls, readOnly: true }),
            ),
          },
          volumes: ctx.list<Valued<IVolume>>(
            { name: 'files', configMap: { name: n.workload, defaultMode: 0o555 } },
            { name: 'runtime', emptyDir: { medium: 'Memory', sizeLimit: '8Mi' } },
            // HAProxy reads the key from <cert>.key beside the certificate.
            ctx.optional(tlsOn, {
              name: 'tls',
              secret: {
                secretName: tlsSecretName(ctx, 'master'),
                defaultMode: 0o440,
                items: [{ key: 'tls.crt', path: 'tls.crt' }, { key: 'tls.key', path: 'tls.crt.key' }, { key: 'ca.crt', path: 'ca.crt' }],
              },
            }),
          ),
        }),
      },
    });
    const pdb = ctx.guard(on, 'pdb-guard', truthy('redis.masterEndpoint.podDisruptionBudget.enabled'));
    if (pdb) disruptionBudget(pdb, ctx, COMPONENT, v.podDisruptionBudget.maxUnavailable);
  }
}

export { METRICS_PORT, METRICS_PORT_NAME };
