import { Construct } from 'constructs';
import { IEnvVar } from 'kubernetes-models/v1/EnvVar';
import { IPod } from 'kubernetes-models/v1/Pod';
import { IVolume } from 'kubernetes-models/v1/Volume';
import { IVolumeMount } from 'kubernetes-models/v1/VolumeMount';
import { filled, lit, merge, truthy } from '../../config/expr';
import { sentinelMode, tlsOn } from '../../config/predicates';
import { RenderContext, Valued } from '../../render/context';
import { CACHE_USER, CLIENT_CONFIG_MAP_SUFFIX, SESSION_USER } from '../client/contract';
import { authSecretName } from '../redis/contract';
import { passwordKey } from '../secrets/keys';
import { manifest } from '../shared/api-object';
import { containerImage, pullSecretNames } from '../shared/images';
import { metadata, resourceName } from '../shared/naming';
import { REDIS_UID, containerSecurityContext, podSecurityContext, scannerNotes } from '../shared/pod-security';
import { clientCaSecretName } from '../tls/names';
import { COMPONENT, PATHS, SCRIPT, healthCheckNames, healthCheckOn } from './contract';

/** Helm runs the Pod on `helm test`; a new run replaces the last one, which stays for its logs until then. */
const HOOK = { 'helm.sh/hook': 'test', 'helm.sh/hook-delete-policy': 'before-hook-creation' };

/**
 * The `helm test` Pod: health-check.sh from the ConfigMap on the Redis image, configured exactly as an
 * application is (docs/client-contract.md): the client contract ConfigMap with envFrom, the app and cache
 * passwords from the auth Secret, the client CA mounted where the contract's example mounts it. Its own
 * component `health-check` has network flows to Redis, the Sentinels and the master endpoint
 * (network-policies/flows.ts). Rendered to dist/<env>/tests/ and templates/tests/, which `kubectl apply`
 * of dist/<env>/ and Argo CD's directory source leave out (not recursive).
 */
export class HealthCheckTest extends Construct {
  constructor(scope: Construct, id: string, ctx: RenderContext) {
    super(scope, id);
    const on = ctx.guard(this, 'enabled', healthCheckOn);
    if (!on) return;
    const v = ctx.values.healthCheck;
    const n = healthCheckNames(ctx);
    const secret = (name: string, user: typeof SESSION_USER | typeof CACHE_USER) => ({
      name,
      valueFrom: { secretKeyRef: { name: authSecretName(ctx), key: passwordKey(ctx, user) } },
    });
    const pullSecrets = pullSecretNames(['redis.image']);
    manifest<IPod>(on, 'pod', {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: {
        ...metadata(ctx, COMPONENT, COMPONENT, merge(lit(HOOK), scannerNotes({
          secretEnv: 'the check logs in as an application does, with REDIS_PASSWORD and REDIS_CACHE_PASSWORD from secretKeyRef (docs/client-contract.md)', // pragma: allowlist secret -- prose
          noProbes: 'a helm test Pod that runs one check to completion and exits; there is nothing to probe',
        }))),
        name: n.pod,
      },
      spec: {
        restartPolicy: 'Never',
        activeDeadlineSeconds: v.activeDeadlineSeconds,
        serviceAccountName: n.serviceAccount,
        automountServiceAccountToken: false,
        enableServiceLinks: false,
        imagePullSecrets: ctx.optional(filled(pullSecrets), ctx.list(ctx.spreadNames(pullSecrets, 'name'))),
        securityContext: podSecurityContext(ctx, REDIS_UID),
        nodeSelector: ctx.optional(truthy('healthCheck.nodeSelector'), v.nodeSelector),
        tolerations: ctx.optional(truthy('healthCheck.tolerations'), v.tolerations),
        containers: [
          {
            name: COMPONENT,
            ...containerImage(ctx, 'redis.image'),
            command: ['sh', `${PATHS.scripts}/${SCRIPT}`],
            envFrom: [{ configMapRef: { name: resourceName(ctx, CLIENT_CONFIG_MAP_SUFFIX) } }],
            env: ctx.list<Valued<IEnvVar>>(
              secret('REDIS_PASSWORD', SESSION_USER),
              secret('REDIS_CACHE_PASSWORD', CACHE_USER),
              ctx.optional(sentinelMode, secret('REDIS_SENTINEL_PASSWORD', SESSION_USER)),
              ctx.optional(tlsOn, { name: 'REDIS_TLS_CA_FILE', value: `${PATHS.ca}/ca.crt` }),
              { name: 'HEALTH_CHECK_TIMEOUT_SECONDS', value: ctx.asString(v.timeoutSeconds) },
              { name: 'HOME', value: PATHS.tmp },
            ),
            resources: ctx.json(v.resources),
            securityContext: containerSecurityContext(ctx, REDIS_UID),
            volumeMounts: ctx.list<Valued<IVolumeMount>>(
              { name: 'scripts', mountPath: PATHS.scripts, readOnly: true },
              { name: 'tmp', mountPath: PATHS.tmp },
              ctx.optional(tlsOn, { name: 'ca', mountPath: PATHS.ca, readOnly: true }),
            ),
          },
        ],
        volumes: ctx.list<Valued<IVolume>>(
          { name: 'scripts', configMap: { name: n.configMap, defaultMode: 0o555 } },
          { name: 'tmp', emptyDir: { sizeLimit: '8Mi' } },
          // Only the CA: the check verifies the servers and presents no certificate.
          ctx.optional(tlsOn, { name: 'ca', secret: { secretName: clientCaSecretName(ctx), defaultMode: 0o440, items: [{ key: 'ca.crt', path: 'ca.crt' }] } }),
        ),
      },
    });
  }
}
