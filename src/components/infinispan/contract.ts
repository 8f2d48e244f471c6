import { RenderContext } from '../../render/context';
import { resourceName, serviceHost } from '../shared/naming';

/**
 * The runtime contract of the Infinispan servers: ports, mount paths and names that
 * the StatefulSet, the Services, the server config (files/infinispan.yaml), the start
 * script (files/start.sh) and the client contract ConfigMap agree on.
 */

/** UID/GID the quay.io/infinispan/server image runs as. */
export const INFINISPAN_UID = 185;

/** Hot Rod + REST (single port), JGroups TCP, JGroups FD_SOCK2 (TCP port + 50000). */
export const PORTS = { client: 11222, jgroups: 7800, failureDetection: 57800 } as const;
export const PORT_NAMES = { client: 'infinispan', jgroups: 'jgroups', failureDetection: 'fd-sock' } as const;

/** The image's server home; everything it writes below it gets a volume. */
export const ISPN_HOME = '/opt/infinispan';

export const PATHS = {
  /** Server config, identities batch and start script (ConfigMap, read-only). */
  config: '/etc/infinispan/config',
  /** The auth Secret (read-only). */
  secrets: '/etc/infinispan/secrets',
  /** users.properties / groups.properties written at start (memory emptyDir). */
  identities: '/etc/infinispan/identities',
  /** Global state and the file store (PVC). */
  data: `${ISPN_HOME}/server/data`,
  /** Server logs (emptyDir). */
  log: `${ISPN_HOME}/server/log`,
  /** JVM and CLI temp files, HOME of the CLI (emptyDir). */
  tmp: '/tmp',
  /** TLS key and certificate from cert-manager. */
  tls: '/etc/infinispan/tls',
} as const;

export const CONFIG_FILE = 'infinispan.yaml';
export const BATCH_FILE = 'identities.batch';
/** The admin identity's batch: start.sh runs it only when the StatefulSet names the admin keys. */
export const ADMIN_BATCH_FILE = 'admin-identity.batch';
export const START_SCRIPT = 'start.sh';

/** The role the application user gets: read and write the caches, no admin operations. */
export const APPLICATION_ROLE = 'application';
/** Infinispan's built-in role with every permission (backup and restore need ADMIN). */
export const ADMIN_ROLE = 'admin';

/** GET answers 200 without credentials (probes); the body is HEALTHY, HEALTHY_REBALANCING or DEGRADED. */
export const HEALTH_PATH = '/rest/v2/container/health/status';

export const infinispanNames = (ctx: RenderContext) => ({
  /** StatefulSet, ClusterIP Service, ServiceAccount, PDB. */
  server: resourceName(ctx, 'infinispan'),
  /** Headless Service for JGroups DNS_PING and pod DNS names. */
  ping: resourceName(ctx, 'infinispan-ping'),
  config: resourceName(ctx, 'infinispan-config'),
  /** Secret with tls.crt/tls.key/ca.crt for the servers (issued by cert-manager when tls.enabled). */
  tlsSecret: resourceName(ctx, 'infinispan-tls'),
});

/** The DNS name clients use: the ClusterIP Service. */
export function infinispanHost(ctx: RenderContext): string {
  return serviceHost(ctx, infinispanNames(ctx).server);
}

/** What JGroups DNS_PING queries: the headless ping Service (A records of every pod, ready or not). */
export function pingQuery(ctx: RenderContext): string {
  return serviceHost(ctx, infinispanNames(ctx).ping);
}
