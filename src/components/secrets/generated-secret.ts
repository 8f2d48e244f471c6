import { Construct } from 'constructs';
import { ISecret } from 'kubernetes-models/v1/Secret';
import { at, lit } from '../../config/expr';
import { infinispanOn } from '../../config/predicates';
import { RenderContext, Val } from '../../render/context';
import { keptOrGenerated } from '../../render/helm-only';
import { ACL_USERS, authSecretName } from '../redis/contract';
import { manifest } from '../shared/api-object';
import { metadata } from '../shared/naming';
import { passwordKey, passwordKeyOperand } from './keys';

/** Helm only: <fullname>-auth with random passwords, generated at install, kept on upgrade and on uninstall. */
export class GeneratedSecret extends Construct {
  constructor(scope: Construct, id: string, ctx: RenderContext) {
    super(scope, id);
    if (!ctx.isChart) throw new Error('a generated Secret exists only in the Helm chart; dist/ never holds Secret data');
    const ispn = ctx.values.infinispan.auth;
    manifest<ISecret>(this, 'secret', {
      apiVersion: 'v1',
      kind: 'Secret',
      // Kept by `helm uninstall` like the claims holding the data: a reinstall into the namespace adopts it
      // and keeps the passwords the clients have.
      metadata: { ...metadata(ctx, 'auth', 'auth', lit({ 'helm.sh/resource-policy': 'keep' })), name: authSecretName(ctx) },
      type: 'Opaque',
      data: <Record<string, Val<string>>>{
        ...Object.fromEntries(ACL_USERS.map((user) => [`${passwordKey(ctx, user)}`, keptOrGenerated(ctx, passwordKeyOperand(user), 'password')])),
        // The Infinispan identity, when that component is on (its key names are configurable).
        [`${ispn.usernameKey}`]: ctx.optional(infinispanOn, keptOrGenerated(ctx, at('infinispan.auth.usernameKey'), 'username')),
        [`${ispn.passwordKey}`]: ctx.optional(infinispanOn, keptOrGenerated(ctx, at('infinispan.auth.passwordKey'), 'password')),
      },
    });
  }
}
