import { RenderContext } from '../../render/context';
import { resourceName } from '../shared/naming';

/** Secrets cert-manager writes (tls.crt, tls.key, ca.crt), one per server role. */
/** Secrets cert-manager writes for a server: Redis, Sentinel and the master endpoint (HAProxy). */
export const tlsSecretName = (ctx: RenderContext, role: 'redis' | 'sentinel' | 'master') => resourceName(ctx, `${role}-tls`);
export const caSecretName = (ctx: RenderContext) => resourceName(ctx, 'ca');
/** Secret whose ca.crt apps mount to verify the servers (see ClientCaCertificate). */
export const clientCaSecretName = (ctx: RenderContext) => resourceName(ctx, 'client-tls');
