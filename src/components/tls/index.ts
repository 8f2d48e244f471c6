import { Construct } from 'constructs';
import { all, at, eq, not, truthy } from '../../config/expr';
import { RenderContext } from '../../render/context';
import { masterEndpointOn } from '../../config/predicates';
import { ClientCaCertificate, MasterEndpointCertificate, ServerCertificate } from './certificates';
import { BootstrapCa } from './issuers';

/** cert-manager objects when tls.enabled: the CA (unless an issuer is named) and the server certificates. */
export class Tls extends Construct {
  constructor(scope: Construct, id: string, ctx: RenderContext) {
    super(scope, id);
    const enabled = ctx.guard(this, 'enabled', truthy('tls.enabled'));
    if (!enabled) return;
    const bootstrap = ctx.guard(enabled, 'bootstrap', all(not(truthy('tls.issuerRef.name')), truthy('tls.bootstrapCA')));
    if (bootstrap) new BootstrapCa(bootstrap, 'ca', ctx);
    new ServerCertificate(enabled, 'redis', ctx, 'redis');
    new ClientCaCertificate(enabled, 'client', ctx);
    const sentinel = ctx.guard(enabled, 'sentinel-mode', eq(at('redis.mode'), 'sentinel'));
    if (sentinel) new ServerCertificate(sentinel, 'sentinel', ctx, 'sentinel');
    const master = ctx.guard(enabled, 'master-endpoint', masterEndpointOn);
    if (master) new MasterEndpointCertificate(master, 'master', ctx);
  }
}
