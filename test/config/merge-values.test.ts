import { evalOperand, lit, merge } from '../../src/config/expr';

test('merge keeps a user key named like an inherited JS member (toString, constructor) as the user wrote it', () => {
  const merged = evalOperand(merge(lit<Record<string, unknown>>({ runAsUser: 1000, toString: '', constructor: 0 }), lit<Record<string, unknown>>({ runAsNonRoot: true })), {});
  expect(merged).toEqual({ runAsNonRoot: true, runAsUser: 1000, toString: '', constructor: 0 });
  expect(Object.values(merged as object).some((v) => typeof v === 'function')).toBe(false);
});
