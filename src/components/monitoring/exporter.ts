import { IContainer } from 'kubernetes-models/v1/Container';
import { tlsOn } from '../../config/predicates';
import { Fields, RenderContext } from '../../render/context';
import { passwordKey } from '../secrets/keys';
import { containerImage } from '../shared/images';
import { REDIS_UID, containerSecurityContext } from '../shared/pod-security';
import { PATHS, REDIS_PORT, SENTINEL_PORT, authSecretName, names, podHost } from '../redis/contract';

/** Port of every redis_exporter sidecar; PodMonitors and Prometheus scrape it by name. */
export const EXPORTER_PORT = 9121;
export const EXPORTER_PORT_NAME = 'metrics';
/** The ACL user the exporter logs in as (read-only: INFO, ROLE, CONFIG GET, SENTINEL MASTERS …). */
export const EXPORTER_USER = 'monitor';

/**
 * The redis_exporter sidecar of a Redis or Sentinel pod. Everything about the
 * exporter (address, credentials, TLS) lives here, in one place.
 *
 * The password comes from the auth Secret as an environment variable: the
 * exporter's REDIS_PASSWORD_FILE is not a plain password file but a JSON map
 * of URI → password (verified against the real binary in test/monitoring), and
 * the exporter image has no shell to convert one into the other.
 *
 * Plain: the pod IP (the servers bind only that). TLS: rediss:// to the pod's own DNS
 * name, which the certificate covers (*.<headless>…), verified with the mounted ca.crt.
 */
export function exporterContainer(ctx: RenderContext, role: 'redis' | 'sentinel'): Fields<IContainer> {
  const v = ctx.values.monitoring.exporter;
  const port = role === 'redis' ? REDIS_PORT : SENTINEL_PORT;
  const n = names(ctx);
  const ownHost = podHost(ctx, '$(POD_NAME)', role === 'redis' ? n.redisHeadless : n.sentinelHeadless);
  return {
    name: 'exporter',
    ...containerImage(ctx, 'monitoring.exporter.image'),
    env: ctx.list(
      { name: 'POD_NAME', valueFrom: { fieldRef: { fieldPath: 'metadata.name' } } },
      { name: 'POD_IP', valueFrom: { fieldRef: { fieldPath: 'status.podIP' } } },
      { name: 'REDIS_ADDR', value: ctx.choose(tlsOn, `rediss://${ownHost}:${port}`, `redis://$(POD_IP):${port}`) },
      { name: 'REDIS_USER', value: EXPORTER_USER },
      { name: 'REDIS_PASSWORD', valueFrom: { secretKeyRef: { name: authSecretName(ctx), key: passwordKey(ctx, EXPORTER_USER) } } },
      { name: 'REDIS_EXPORTER_WEB_LISTEN_ADDRESS', value: `:${EXPORTER_PORT}` },
      ctx.optional(tlsOn, { name: 'REDIS_EXPORTER_TLS_CA_CERT_FILE', value: `${PATHS.tls}/ca.crt` }),
    ),
    ports: [{ name: EXPORTER_PORT_NAME, containerPort: EXPORTER_PORT, protocol: 'TCP' }],
    livenessProbe: { httpGet: { path: '/health', port: EXPORTER_PORT_NAME }, periodSeconds: 15, timeoutSeconds: 5, failureThreshold: 3 },
    readinessProbe: { httpGet: { path: '/health', port: EXPORTER_PORT_NAME }, periodSeconds: 10, timeoutSeconds: 5, failureThreshold: 3 },
    resources: ctx.json(v.resources),
    securityContext: containerSecurityContext(ctx, REDIS_UID),
    // The pod's `tls` volume (cert-manager Secret: tls.crt, tls.key, ca.crt).
    volumeMounts: ctx.optional(tlsOn, [{ name: 'tls', mountPath: PATHS.tls, readOnly: true }]),
  };
}
