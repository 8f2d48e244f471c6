import { Construct } from 'constructs';
import { ISecret } from 'kubernetes-models/v1/Secret';
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
  const existing = `(lookup "v1" "Secret" (default .Release.Namespace .Values.namespace.name) (printf "%s-auth" (include "${CHART_NAME}.fullname" .)))`;
  return `default (randAlphaNum ${GENERATED_PASSWORD_LENGTH} | b64enc) (index (${existing}.data | default dict) ${JSON.stringify(passwordKey(user))})`;
}

/** Helm only: <fullname>-auth with random passwords, generated at install and kept on upgrade. */
export class GeneratedSecret extends Construct {
  constructor(scope: Construct, id: string, ctx: RenderContext) {
    super(scope, id);
    if (!ctx.isChart) throw new Error('a generated Secret exists only in the Helm chart; dist/ never holds Secret data');
    manifest<ISecret>(this, 'secret', {
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: { ...metadata(ctx, 'auth', 'auth'), name: authSecretName(ctx) },
      type: 'Opaque',
      data: Object.fromEntries(ACL_USERS.map((user) => [passwordKey(user), ctx.expr(keptOrGeneratedPassword(user), '')])),
    });
  }
}
