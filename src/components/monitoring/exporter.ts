import { IContainer } from 'kubernetes-models/v1/Container';
import { RenderContext } from '../../render/context';
import { REDIS_UID, containerSecurityContext } from '../shared/pod-security';
import { REDIS_PORT, SENTINEL_PORT, authSecretName } from '../redis/contract';

/** Port of every redis_exporter sidecar; PodMonitors and Prometheus scrape it by name. */
export const EXPORTER_PORT = 9121;
export const EXPORTER_PORT_NAME = 'metrics';
/** The ACL user the exporter logs in as (read-only: INFO, ROLE, CONFIG GET, SENTINEL MASTERS …). */
export const EXPORTER_USER = 'monitor';

/**
 * The redis_exporter sidecar of a Redis or Sentinel pod. Everything about the
 * exporter (address, credentials, later TLS) lives here, in one place.
 *
 * The password comes from the auth Secret as an environment variable: the
 * exporter's REDIS_PASSWORD_FILE is not a plain password file but a JSON map
 * of URI → password (verified against the real binary in test/monitoring), and
 * the exporter image has no shell to convert one into the other.
 */
export function exporterContainer(ctx: RenderContext, role: 'redis' | 'sentinel'): IContainer {
  const v = ctx.values.monitoring.exporter;
  const port = role === 'redis' ? REDIS_PORT : SENTINEL_PORT;
  return {
    name: 'exporter',
    image: `${v.image.repository}:${v.image.tag}`,
    imagePullPolicy: v.image.pullPolicy,
    env: [
      // The process of its own pod, which binds only the pod IP (see redis-start.sh / sentinel-start.sh).
      { name: 'POD_IP', valueFrom: { fieldRef: { fieldPath: 'status.podIP' } } },
      { name: 'REDIS_ADDR', value: `redis://$(POD_IP):${port}` },
      { name: 'REDIS_USER', value: EXPORTER_USER },
      { name: 'REDIS_PASSWORD', valueFrom: { secretKeyRef: { name: authSecretName(ctx), key: `${EXPORTER_USER}-password` } } },
      { name: 'REDIS_EXPORTER_WEB_LISTEN_ADDRESS', value: `:${EXPORTER_PORT}` },
    ],
    ports: [{ name: EXPORTER_PORT_NAME, containerPort: EXPORTER_PORT, protocol: 'TCP' }],
    livenessProbe: { httpGet: { path: '/health', port: EXPORTER_PORT_NAME }, periodSeconds: 15, timeoutSeconds: 5, failureThreshold: 3 },
    readinessProbe: { httpGet: { path: '/health', port: EXPORTER_PORT_NAME }, periodSeconds: 10, timeoutSeconds: 5, failureThreshold: 3 },
    resources: ctx.json(v.resources),
    securityContext: containerSecurityContext(REDIS_UID),
  };
}
