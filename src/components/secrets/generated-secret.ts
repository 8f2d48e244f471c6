import { Construct } from 'constructs';
import { ISecret } from 'kubernetes-models/v1/Secret';
import { truthy } from '../../config/expr';
import { RenderContext } from '../../render/context';
import { ACL_USERS, authSecretName } from '../redis/contract';
import { manifest } from '../shared/api-object';
import { CHART_NAME, metadata } from '../shared/naming';
import { passwordKey } from './keys';

/** Length of a generated password (alphanumeric: ~190 bits). */
export const GENERATED_PASSWORD_LENGTH = 32;

/**
 * Go: the password already stored in the release's auth Secret, else a new random one.
 * `lookup` returns an empty map under `helm template` and dry runs, so those always show new values.
 */
export function keptOrGeneratedPassword(user: string): string {
  return keptOrGenerated(JSON.stringify(passwordKey(user)), `randAlphaNum ${GENERATED_PASSWORD_LENGTH} | b64enc`);
}

/** Go: the value stored under `keyExpr` in the release's auth Secret, else `generate` (base64). */
export function keptOrGenerated(keyExpr: string, generate: string): string {
  const existing = `(lookup "v1" "Secret" (default .Release.Namespace .Values.namespace.name) (printf "%s-auth" (include "${CHART_NAME}.fullname" .)))`;
  return `default (${generate}) (index (${existing}.data | default dict) ${keyExpr})`;
}

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
      metadata: { ...metadata(ctx, 'auth', 'auth'), name: authSecretName(ctx), annotations: { 'helm.sh/resource-policy': 'keep' } },
      type: 'Opaque',
      data: <Record<string, string>>{
        ...Object.fromEntries(ACL_USERS.map((user) => [passwordKey(user), ctx.expr(keptOrGeneratedPassword(user), '')])),
        // The Infinispan identity, when that component is on (its key names are configurable).
        [ispn.usernameKey]: ctx.optional(truthy('infinispan.enabled'), ctx.expr(keptOrGenerated('.Values.infinispan.auth.usernameKey', '"sessions" | b64enc'), '')),
        [ispn.passwordKey]: ctx.optional(truthy('infinispan.enabled'), ctx.expr(keptOrGenerated('.Values.infinispan.auth.passwordKey', `randAlphaNum ${GENERATED_PASSWORD_LENGTH} | b64enc`), '')),
      },
    });
  }
}
