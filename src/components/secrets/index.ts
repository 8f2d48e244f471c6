import { Construct } from 'constructs';
import { all, not, truthy } from '../../config/expr';
import { RenderContext } from '../../render/context';
import { ExternalSecret } from './external-secret';
import { GeneratedSecret } from './generated-secret';

/**
 * Where the ACL passwords come from:
 * - auth.existingSecret: a Secret made outside the chart; nothing here.
 * - auth.externalSecret: an External Secrets Operator ExternalSecret that creates <fullname>-auth.
 * - neither (Helm only): <fullname>-auth generated once with randAlphaNum and kept on upgrades
 *   via lookup. dist/ never holds Secret data: the loader refuses a dist/ env with neither.
 */
export class Secrets extends Construct {
  constructor(scope: Construct, id: string, ctx: RenderContext) {
    super(scope, id);
    const external = ctx.guard(this, 'external', truthy('auth.externalSecret.enabled'));
    if (external) new ExternalSecret(external, 'external-secret', ctx);

    if (!ctx.isChart) return;
    const generated = ctx.guard(this, 'generated', all(not(truthy('auth.existingSecret')), not(truthy('auth.externalSecret.enabled'))));
    if (generated) new GeneratedSecret(generated, 'generated-secret', ctx);
  }
}
