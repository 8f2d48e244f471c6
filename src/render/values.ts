/**
 * The types that keep constructs honest in both outputs.
 *
 * A construct is written once and rendered twice: with the real values (dist/) and with Go
 * expressions (the chart). In chart mode a "number" is really the text `{{ .Values.redis.replicas }}`,
 * so any arithmetic, comparison or truthiness test on it would be right in one output and silently
 * wrong in the other. `Val<T>` makes those a compile error: it is a branded callable, and TypeScript
 * refuses `v + 1`, `v > 2`, `v === 3` and assignment to `number`, and flags `if (v)`, `v ? a : b` and
 * `v && x` as "always true" (TS2774). What a construct may do with a `Val`: put it into a manifest
 * (`Valued<T>` accepts it wherever a T goes), embed it in a template literal, or pass it on.
 * Structure that depends on config goes through predicates (`ctx.guard`, `ctx.optional`, `ctx.choose`).
 */

type Primitive = string | number | boolean | null | undefined;
type IsRecord<T> = string extends keyof T ? true : false;

declare const valueType: unique symbol;
/** A configuration value: the real one in dist/, a Go expression in the chart. Opaque either way. */
export interface Val<T> {
  readonly [valueType]: T;
  /** Never called: the signature exists so that `if (value)` does not compile (TS2774). */
  (): never;
}

declare const sectionType: unique symbol;
/** A section of named keys (redis, redis.persistence, …): navigable; `ctx.json()` makes it one value. */
export type Section<T> = { readonly [K in keyof T]-?: Values<T[K]> } & { readonly [sectionType]?: T };

/** What constructs see of a config subtree: sections to navigate, `Val` leaves (maps and lists are leaves). */
export type Values<T> = [T] extends [Primitive | readonly unknown[]]
  ? Val<T>
  : IsRecord<T> extends true
    ? Val<T>
    : Section<T>;

/** A manifest shape in which any field may also be a configuration value of its type. */
export type Valued<T> = [T] extends [Primitive]
  ? T | Val<NonNullable<T>>
  : T extends readonly (infer U)[]
    ? Val<T> | readonly Valued<U>[]
    : T extends object
      ? Val<T> | Fields<T>
      : T;

/** An object literal of type T whose fields may be configuration values of their types. */
export type Fields<T> = { [K in keyof T]: Valued<T[K]> };
