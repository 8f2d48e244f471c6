import { Construct } from 'constructs';
import * as YAML from 'yaml';
import { z } from 'zod';
import { ConfigPath, Operand, Pred, ReleaseFacts, Scalar, ValueAt, evalOperand, evaluate, goOperand, goPath, includeCall, isMapValued, lookup, namedTemplates, toGo } from '../config/expr';
import { objectShape, unwrap } from '../config/introspect';
import { Config, configSchema } from '../config/schema';
import { isFreeText } from '../config/types';
import { Section, Val, Values } from './values';

export type { Fields, Section, Val, Values, Valued } from './values';

/**
 * static: concrete values, for dist/<env>/.
 * chart:  Helm expressions, for charts/session-database/templates/.
 *
 * Constructs are written once against a RenderContext. They read config through
 * `ctx.values` (opaque `Val`s, see values.ts) and never compute on it; anything structural goes
 * through `ctx.guard`, `ctx.optional` or `ctx.choose`, which become `{{ if }}` in the chart, and
 * anything derived (names, labels) through an expression (`ctx.value`), which is evaluated here
 * and compiled to Go there. Components never see the raw config nor write Go.
 */
export type RenderMode = 'static' | 'chart';

export type Token =
  | {
      readonly kind: 'expr';
      readonly expr: string;
      /** The Go expression already prints JSON (a named template that returns a map). */
      readonly yieldsJson: boolean;
      /** Free text from the values that may hold line breaks (indented when embedded in a block). */
      readonly multiline: boolean;
    }
  | {
      readonly kind: 'file';
      /** Path inside the chart's files/ directory. */
      readonly name: string;
      /** The file holds values: the chart renders it with `tpl`. */
      readonly templated: boolean;
      /** The value is the file parsed as YAML (a structure), not its text. */
      readonly parsed: boolean;
    }
  | {
      /** The items of a list value, spliced into a list (Go: a range loop). */
      readonly kind: 'spread';
      readonly expr: string;
      /** Each item becomes `{ <wrapKey>: item }` (names of pull secrets → `{ name }`). */
      readonly wrapKey?: string;
    }
  | { readonly kind: 'choose'; readonly cond: string; readonly then: unknown; readonly otherwise: unknown }
  | { readonly kind: 'optional'; readonly cond: string; readonly value: unknown };

export const TOKEN_PATTERN = /__SDT(\d+)__/g;
const WHOLE_TOKEN = /^__SDT(\d+)__$/;

/** Placeholders in repo files (conf, acl, sh): @@redis.masterName@@, @@fullname@@. */
const PLACEHOLDER = /@@([a-zA-Z0-9_.]+)@@/g;

/** Items to splice into a list (see ctx.list and ctx.spread). */
export class Spread<T> {
  constructor(readonly items: readonly T[], readonly token?: string) {}
}

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

/** What the release facts are for dist/: the release name, namespace "default" when none is configured. */
export function releaseFacts(release: ReleaseInfo): ReleaseFacts {
  return { name: release.releaseName, namespace: 'default', service: release.managedBy, appVersion: release.appVersion };
}

export class RenderContext {
  static forEnvironment(config: Config, release: ReleaseInfo): RenderContext {
    return new RenderContext('static', config, release);
  }

  static forChart(release: ReleaseInfo): RenderContext {
    return new RenderContext('chart', undefined, release);
  }

  readonly tokens: Token[] = [];
  /** Named templates the expressions use (chart mode), for _helpers.tpl. */
  readonly namedTemplates = new Map<string, Operand>();
  /** Large runtime files the chart ships once in files/ (chart mode): name → its text (with tokens) at each use. */
  readonly chartFiles = new Map<string, string[]>();
  /** What constructs read: concrete values (static) or tokens (chart), typed as opaque `Val`s. */
  readonly values: Values<Config>;
  private readonly proxyPaths = new WeakMap<object, string>();
  private readonly facts: ReleaseFacts;

  private constructor(
    readonly mode: RenderMode,
    /** The real config (static only). Private: components read `values` and predicates. */
    private readonly config: Config | undefined,
    readonly release: ReleaseInfo,
  ) {
    this.facts = releaseFacts(release);
    this.values = (mode === 'static' ? config : this.valuesProxy(configSchema, '')) as Values<Config>;
  }

  get isChart(): boolean {
    return this.mode === 'chart';
  }

  /** The values at a path (a section to navigate or a leaf value). */
  at<P extends ConfigPath>(path: P): Values<ValueAt<P>> {
    return lookup(this.values, path) as Values<ValueAt<P>>;
  }

  /** The value of an expression over the values and the release (names, labels): evaluated here, Go in the chart. */
  value<T>(op: Operand<T>): Val<T> {
    if (this.mode === 'static') return evalOperand(op, this.config, this.facts) as unknown as Val<T>;
    for (const [name, template] of namedTemplates(op)) this.namedTemplates.set(name, template);
    // A named template that returns a map prints JSON already: use it as it is.
    const json = 'fn' in op && op.fn === 'include' && isMapValued(op);
    const expr = json ? includeCall(op) : goOperand(op);
    return this.token({ kind: 'expr', expr, yieldsJson: json, multiline: false }) as unknown as Val<T>;
  }

  /** Like `value`, for text that may span lines (embedded in a block literal, its lines are indented). */
  text(op: Operand<string>): Val<string> {
    if (this.mode === 'static') return evalOperand(op, this.config, this.facts) as unknown as Val<string>;
    return this.token({ kind: 'expr', expr: goOperand(op), yieldsJson: false, multiline: true }) as unknown as Val<string>;
  }

  /** A Go expression with no static value. Only src/render/helm-only.ts calls this (a test checks). */
  helmOnly(goExpr: string): Val<string> {
    if (this.mode === 'static') throw new Error('a Helm-only value has no place in dist/');
    return this.token({ kind: 'expr', expr: goExpr, yieldsJson: false, multiline: false }) as unknown as Val<string>;
  }

  /** A whole section of the values (resources, a persistence block) as one value. */
  json<T>(section: Section<T>): Val<T> {
    if (this.mode === 'static') return structuredClone(section) as unknown as Val<T>;
    const path = this.proxyPaths.get(section as object);
    if (path === undefined) throw new Error('ctx.json() takes a section of ctx.values');
    return this.token({ kind: 'expr', expr: `.Values.${path}`, yieldsJson: false, multiline: false }) as unknown as Val<T>;
  }

  /** A value as a string (env values, annotations): the chart converts it at render time. */
  asString(value: Val<Scalar>): Val<string> {
    if (this.mode === 'static') return String(value) as unknown as Val<string>;
    const m = typeof value === 'string' ? WHOLE_TOKEN.exec(value) : null;
    const token = m ? this.tokens[Number(m[1])] : undefined;
    if (token?.kind !== 'expr') return value as unknown as Val<string>;
    // A compound expression (a function call) must be one argument of toString.
    const arg = /\s/.test(token.expr) ? `(${token.expr})` : token.expr;
    return this.token({ ...token, expr: `toString ${arg}` }) as unknown as Val<string>;
  }

  /** True where the predicate holds (static) — in the chart always true, the guard decides at render time. */
  holds(pred: Pred): boolean {
    return this.mode === 'chart' || evaluate(pred, this.config, this.facts);
  }

  /** A scope whose resources exist only when `pred` holds; undefined when it does not (static). */
  guard(scope: Construct, id: string, pred: Pred): Construct | undefined {
    if (!this.holds(pred)) return undefined;
    return new Guard(scope, id, pred, toGo(pred));
  }

  /** A map entry or list item that exists only when `pred` holds. */
  optional<T>(pred: Pred, value: T): T | undefined {
    if (this.mode === 'static') return evaluate(pred, this.config, this.facts) ? value : undefined;
    return this.token({ kind: 'optional', cond: toGo(pred), value }) as T;
  }

  /** `then` where `pred` holds, else `otherwise`. */
  choose<T>(pred: Pred, then: T, otherwise: T): T {
    if (this.mode === 'static') return evaluate(pred, this.config, this.facts) ? then : otherwise;
    return this.token({ kind: 'choose', cond: toGo(pred), then, otherwise }) as T;
  }

  /** A list without the items that `optional` dropped, with the items of `spread` lists in place. */
  list<T>(...items: (T | Spread<T> | undefined)[]): T[] {
    return items.flatMap((i) => (i === undefined ? [] : i instanceof Spread ? (this.mode === 'static' ? (i.items as T[]) : [i.token as T]) : [i as T]));
  }

  /** The items of a list from the values (user's extra env vars, volumes, sidecars), for `ctx.list`. */
  spread<T>(items: Operand<T[]> | Val<T[]>): Spread<T> {
    return this.spreadOf(items);
  }

  /** Names from the values as `{ <key>: name }` items (image pull secrets), for `ctx.list`. */
  spreadNames<K extends string>(names: Operand<string[]>, key: K): Spread<Record<K, string>> {
    return this.spreadOf(names, key) as Spread<Record<K, string>>;
  }

  private spreadOf<T>(items: Operand<T[]> | Val<T[]>, wrapKey?: string): Spread<T> {
    const op = typeof items === 'object' && items !== null && !('length' in items) ? (items as Operand<T[]>) : undefined;
    if (this.mode === 'static') {
      const list = (op ? evalOperand(op, this.config, this.facts) : (items as unknown as T[])) ?? [];
      return new Spread(wrapKey ? list.map((i) => ({ [wrapKey]: i }) as T) : list);
    }
    const expr = op ? goOperand(op) : this.tokenExpr(items as unknown as string);
    return new Spread([], this.token({ kind: 'spread', expr, wrapKey }));
  }

  private tokenExpr(value: string): string {
    const m = WHOLE_TOKEN.exec(value);
    const token = m ? this.tokens[Number(m[1])] : undefined;
    if (token?.kind !== 'expr') throw new Error('ctx.spread() takes a list from ctx.values or an expression');
    return token.expr;
  }

  /**
   * A large runtime file (dashboards, rule files): its text in dist/; in the chart, written once to
   * files/<name> and read with `.Files.Get` (through `tpl` when it holds values), however many objects
   * use it.
   */
  file(name: string, text: string): Val<string> {
    if (this.mode === 'static') return text as unknown as Val<string>;
    return this.chartFile(name, text, false) as unknown as Val<string>;
  }

  /** The same file parsed as YAML: a structure (a PrometheusRule spec). */
  yamlFile<T>(name: string, text: string): Val<T> {
    if (this.mode === 'static') return YAML.parse(text) as Val<T>;
    return this.chartFile(name, text, true) as unknown as Val<T>;
  }

  private chartFile(name: string, text: string, parsed: boolean): string {
    this.chartFiles.set(name, [...(this.chartFiles.get(name) ?? []), text]);
    return this.token({ kind: 'file', name, templated: /__SDT\d+__/.test(text), parsed });
  }

  /** Fill @@path@@ placeholders of a repo file with config values (or their Helm expressions). */
  fill(template: string, extra: Record<string, string | Val<string>> = {}): string {
    return template.replace(PLACEHOLDER, (whole, key: string) => {
      if (key in extra) return String(extra[key]);
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
    const proxy = new Proxy({}, {
      get: (_, key) => {
        if (typeof key !== 'string') return undefined;
        if (!(key in shape)) throw new Error(`ctx.values has no key ${prefix}${key}`);
        const path = `${prefix}${key}`;
        if (objectShape(shape[key])) return this.valuesProxy(shape[key], `${path}.`);
        return this.token({ kind: 'expr', expr: goPath(path), yieldsJson: false, multiline: isFreeText(unwrap(shape[key])) });
      },
      ownKeys: () => {
        throw new Error(`iterating ctx.values.${prefix.slice(0, -1)} would freeze the defaults into the chart; use ctx.json()`);
      },
    });
    this.proxyPaths.set(proxy, prefix.slice(0, -1));
    return proxy;
  }
}

