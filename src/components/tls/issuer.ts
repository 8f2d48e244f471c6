import { truthy } from '../../config/expr';
import { RenderContext } from '../../render/context';
import { metadata } from '../shared/naming';

/** The issuer that signs every server certificate: the named tls.issuerRef, else the bootstrapped CA Issuer. */
export function issuerRef(ctx: RenderContext) {
  const named = ctx.values.tls.issuerRef;
  return ctx.choose(
    truthy('tls.issuerRef.name'),
    { name: named.name, kind: named.kind, group: named.group },
    { name: metadata(ctx, 'ca-issuer', 'tls').name, kind: 'Issuer', group: 'cert-manager.io' },
  );
}
