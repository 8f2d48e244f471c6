import { Construct } from 'constructs';
import { objectShape } from '../config/introspect';
import { Config, configSchema } from '../config/schema';
import { Pred, evaluate, goPath, lookup, toGo } from '../config/expr';
import { z } from 'zod';

/**
 * static: concrete values, for dist/<env>/.
 * chart:  Helm expressions, for charts/session-database/templates/.
 *
 * Constructs are written once against a RenderContext. They read config through
 * `ctx.values` and never compute on it; anything structural goes through
 * `ctx.guard`, `ctx.optional` or `ctx.choose`, which become `{{ if }}` in the chart.
 */
export type RenderMode = 'static' | 'chart';

export type Token =
  | { readonly kind: 'expr'; readonly expr: string; readonly yieldsJson: boolean }
  | { readonly kind: 'choose'; readonly cond: string; readonly then: unknown; readonly otherwise: unknown }
  | { readonly kind: 'optional'; readonly cond: string; readonly value: unknown };

export const TOKEN_PATTERN = /__SDT(\d+)__/g;

/** Placeholders in repo files (conf, acl, sh): @@redis.masterName@@, @@fullname@@. */
const PLACEHOLDER = /@@([a-zA-Z0-9_.]+)@@/g;

export class Guard extends Construct {
  constructor(scope: Construct, id: string, readonly pred: Pred, readonly goCondition: string) {
    super(scope, id);
  }
}

export interface ReleaseInfo {
  /** Release name that dist/ stands for (what `helm install <name>` would be). */
  readonly releaseName: string;
  /** Chart version, from package.json. */
  readonly chartVersion: string;
  /** Chart appVersion: the default Redis image tag. */
  readonly appVersion: string;
  /** managed-by label value in static mode. */
  readonly managedBy: string;
}

export class RenderContext {
  static forEnvironment(config: Config, release: ReleaseInfo): RenderContext {
    return new RenderContext('static', config, release);
  }

  static forChart(release: ReleaseInfo): RenderContext {
    return new RenderContext('chart', configSchema.parse({}), release);
  }

  readonly tokens: Token[] = [];
  /** What constructs read: concrete values (static) or tokens (chart). */
  readonly values: Config;
  private readonly proxyPaths = new WeakMap<object, string>();

  private constructor(
    readonly mode: RenderMode,
    /** The real config (static) or the schema defaults (chart; used for types only). */
    readonly config: Config,
    readonly release: ReleaseInfo,
  ) {
    this.values = mode === 'static' ? config : this.valuesProxy(configSchema, '');
  }

  get isChart(): boolean {
    return this.mode === 'chart';
  }

  /** A Go expression in the chart, `staticValue` in dist/. */
  expr<T>(goExpr: string, staticValue: T, yieldsJson = false): T {
    if (this.mode === 'static') return staticValue;
    return this.token({ kind: 'expr', expr: goExpr, yieldsJson }) as T;
  }

  /** A whole subtree of the values (resources, label maps) as one value. */
  json<T>(value: T): T {
    if (this.mode === 'static') return structuredClone(value);
    const path = typeof value === 'object' && value !== null ? this.proxyPaths.get(value as object) : undefined;
    if (path === undefined) {
      if (typeof value === 'string' && /^__SDT\d+__$/.test(value)) return value;
      throw new Error('ctx.json() takes a subtree of ctx.values');
    }
    return this.token({ kind: 'expr', expr: `.Values.${path}`, yieldsJson: false }) as T;
  }

  /** A value as a string (env values, annotations): the chart converts it at render time. */
  asString(value: unknown): string {
    if (this.mode === 'static') return String(value);
    const m = typeof value === 'string' ? /^__SDT(\d+)__$/.exec(value) : null;
    const token = m ? this.tokens[Number(m[1])] : undefined;
    if (token?.kind !== 'expr') return String(value);
    return this.token({ kind: 'expr', expr: `toString ${token.expr}`, yieldsJson: false });
  }

  /** True where the predicate holds (static) — in the chart always true, the guard decides at render time. */
  holds(pred: Pred): boolean {
    return this.mode === 'chart' || evaluate(pred, this.config);
  }

  /** A scope whose resources exist only when `pred` holds; undefined when it does not (static). */
  guard(scope: Construct, id: string, pred: Pred): Construct | undefined {
    if (!this.holds(pred)) return undefined;
    return new Guard(scope, id, pred, toGo(pred));
  }

  /** A map entry or list item that exists only when `pred` holds. */
  optional<T>(pred: Pred, value: T): T | undefined {
    if (this.mode === 'static') return evaluate(pred, this.config) ? value : undefined;
    return this.token({ kind: 'optional', cond: toGo(pred), value }) as T;
  }

  /** `then` where `pred` holds, else `otherwise`. */
  choose<T>(pred: Pred, then: T, otherwise: T): T {
    if (this.mode === 'static') return evaluate(pred, this.config) ? then : otherwise;
    return this.token({ kind: 'choose', cond: toGo(pred), then, otherwise }) as T;
  }

  /** A list without the items that `optional` dropped. */
  list<T>(...items: (T | undefined)[]): T[] {
    return items.filter((i): i is T => i !== undefined);
  }

  /** Fill @@path@@ placeholders of a repo file with config values (or their Helm expressions). */
  fill(template: string, extra: Record<string, string> = {}): string {
    return template.replace(PLACEHOLDER, (whole, key: string) => {
      if (key in extra) return extra[key];
      const value = lookup(this.values, key);
      if (value === undefined || (typeof value === 'object' && value !== null)) {
        throw new Error(`placeholder ${whole} names no config value`);
      }
      return String(value);
    });
  }

  private token(t: Token): string {
    this.tokens.push(t);
    return `__SDT${this.tokens.length - 1}__`;
  }

  private valuesProxy(schema: z.core.$ZodType, prefix: string): any {
    const shape = objectShape(schema)!;
    const target: Record<string, unknown> = {};
    const proxy = new Proxy(target, {
      get: (_, key) => {
        if (typeof key !== 'string') return undefined;
        if (!(key in shape)) throw new Error(`ctx.values has no key ${prefix}${key}`);
        const path = `${prefix}${key}`;
        if (objectShape(shape[key])) return this.valuesProxy(shape[key], `${path}.`);
        return this.token({ kind: 'expr', expr: goPath(path), yieldsJson: false });
      },
      ownKeys: () => {
        throw new Error(`iterating ctx.values.${prefix.slice(0, -1)} would freeze the defaults into the chart; use ctx.json()`);
      },
    });
    this.proxyPaths.set(proxy, prefix.slice(0, -1));
    return proxy;
  }
}
