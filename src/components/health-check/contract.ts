import { all, truthy } from '../../config/expr';
import { masterEndpointOn, sentinelMode } from '../../config/predicates';
import { RenderContext } from '../../render/context';
import { names, podHost } from '../redis/contract';
import { resourceName } from '../shared/naming';

/**
 * The health check's contract: one script (files/health-check.sh) in the `<fullname>-health-check`
 * ConfigMap, run by the `helm test` Pod and by operators from any client pod (docs/runbook.md).
 */
export const COMPONENT = 'health-check';
export const SCRIPT = 'health-check.sh';

/** The check exists (ConfigMap, ServiceAccount, test Pod and its network flows). */
export const healthCheckOn = truthy('healthCheck.enabled');
export const healthCheckSentinels = all(healthCheckOn, sentinelMode);
export const healthCheckEndpoint = all(healthCheckOn, masterEndpointOn);

export const PATHS = {
  scripts: '/etc/health-check',
  /** Where apps mount ca.crt of REDIS_TLS_CA_SECRET in docs/client-contract.md; the test Pod does the same. */
  ca: '/etc/session-database',
  tmp: '/tmp',
} as const;

export const healthCheckNames = (ctx: RenderContext) => ({
  configMap: resourceName(ctx, COMPONENT),
  serviceAccount: resourceName(ctx, COMPONENT),
  pod: resourceName(ctx, COMPONENT),
});

/** What the script knows of this release beyond the client contract: where each Sentinel pod is. */
export function scriptFill(ctx: RenderContext) {
  const n = names(ctx);
  return { sentinelHostPattern: podHost(ctx, `${n.sentinel}-%d`, n.sentinelHeadless) };
}
