import { Operand, goOperand, nested } from '../config/expr';
import { AUTH_SECRET, NAMESPACE } from '../components/shared/naming';
import { RenderContext, Val } from './context';

/**
 * What only Helm can do: read the cluster (`lookup`) and make random values. Besides
 * src/config/expr.ts (which compiles expressions), this is the one file that writes Go;
 * a test keeps Go out of every other file under src/components.
 */

/** Length of a generated password (alphanumeric: ~190 bits). */
export const GENERATED_PASSWORD_LENGTH = 32;

const GENERATORS = {
  password: `randAlphaNum ${GENERATED_PASSWORD_LENGTH} | b64enc`,
  /** The Infinispan identity's user name. */
  username: '"sessions" | b64enc',
} as const;

/**
 * The value stored under `key` in the release's auth Secret, else a new one (base64). `lookup`
 * returns an empty map under `helm template` and dry runs, so those always show new values.
 */
export function keptOrGenerated(ctx: RenderContext, key: Operand<string>, generate: keyof typeof GENERATORS): Val<string> {
  const existing = `(lookup "v1" "Secret" ${nested(goOperand(NAMESPACE))} ${nested(goOperand(AUTH_SECRET))})`;
  return ctx.helmOnly(`default (${GENERATORS[generate]}) (index (${existing}.data | default dict) ${nested(goOperand(key))})`);
}
