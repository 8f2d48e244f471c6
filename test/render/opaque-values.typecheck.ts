/**
 * Compile-time proof (checked by `tsc --noEmit`, the first step of `npm test`): what would be right in
 * dist/ and silently wrong in the chart does not compile. Every line under `@ts-expect-error` must be
 * an error; if one ever compiles, tsc reports the unused directive and the test run fails.
 */
import { at, child, eq, truthy } from '../../src/config/expr';
import { RenderContext } from '../../src/render/context';

export function misuse(ctx: RenderContext): unknown[] {
  const v = ctx.values;
  const out: unknown[] = [];
  // @ts-expect-error arithmetic on a value: in the chart it is a Go expression, not a number
  out.push(v.redis.replicas + 1);
  // @ts-expect-error comparing a value: always false in chart mode
  out.push(v.redis.replicas > 2);
  // @ts-expect-error equality with a value: always false in chart mode
  out.push(v.redis.mode === 'sentinel');
  // @ts-expect-error a truthiness test on a value: always true in chart mode (use ctx.guard/optional/choose)
  if (v.tls.enabled) out.push('tls');
  // @ts-expect-error the same in a conditional expression
  out.push(v.tls.enabled ? 'a' : 'b');
  // @ts-expect-error a value is not a plain number
  const replicas: number = v.redis.replicas;
  out.push(replicas);
  // @ts-expect-error a typo in a predicate path
  out.push(truthy('redis.persistence.enabld'));
  // @ts-expect-error a value that the key can never have
  out.push(eq(at('redis.mode'), 'sentinl'));
  // @ts-expect-error a key that the block does not have
  out.push(child('redis.persistence', 'enabld'));
  // @ts-expect-error components never see the raw config
  out.push(ctx.config);
  return out;
}
