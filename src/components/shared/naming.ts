import { CHART_NAME, Operand, arg, at, concat, defineTemplate, dict, include, merge, namedTemplates, orElse, release, trimSuffix, trunc } from '../../config/expr';
import { RenderContext, Val } from '../../render/context';

export { CHART_NAME };

/**
 * Names, namespace and labels: each one expression, evaluated for dist/ and compiled into the
 * chart (the named ones become the `define`s of _helpers.tpl), so the two can never disagree.
 */

/** Base name of every object: fullnameOverride, else the release name. */
export const FULLNAME = include('fullname', trimSuffix('-', trunc(63, orElse(at('fullnameOverride'), release('name')))));

/** Namespace of every object: namespace.name, else the release namespace. */
export const NAMESPACE: Operand<string> = orElse(at('namespace.name'), release('namespace'));

/** The auth Secret: auth.existingSecret, else `<fullname>-auth` (generated or from the ExternalSecret). */
export const AUTH_SECRET: Operand<string> = orElse(at('auth.existingSecret'), concat(FULLNAME, '-auth'));

/** Labels that select the release's pods (any component). */
export const RELEASE_SELECTOR: readonly (readonly [string, Operand<string> | string])[] = [
  ['app.kubernetes.io/name', CHART_NAME],
  ['app.kubernetes.io/instance', release('name')],
];

/** Standard app.kubernetes.io labels of a component plus the configured labels, which cannot override them. */
export const labelsOf = (component: Operand<string> | string) =>
  include(
    'labels',
    merge(
      dict([
        ...RELEASE_SELECTOR,
        ['app.kubernetes.io/component', arg(0)],
        ['app.kubernetes.io/part-of', CHART_NAME],
        ['app.kubernetes.io/version', release('appVersion')],
        ['app.kubernetes.io/managed-by', release('service')],
      ]),
      at('labels'),
    ),
    component,
  );

export function fullname(ctx: RenderContext): Val<string> {
  return ctx.value(FULLNAME);
}

/** `<fullname>-<suffix>`. */
export function resourceName(ctx: RenderContext, suffix: string): string {
  return `${fullname(ctx)}-${suffix}`;
}

export function namespace(ctx: RenderContext): Val<string> {
  return ctx.value(NAMESPACE);
}

/** `<service>.<namespace>.svc.<clusterDomain>`: the DNS name of a Service (or `<pod>.<headless>`). */
export function serviceHost(ctx: RenderContext, service: string): string {
  return `${service}.${namespace(ctx)}.svc.${ctx.values.clusterDomain}`;
}

/** Labels every pod of the release carries (any component). */
export function releasePodLabels(ctx: RenderContext): Record<string, Val<string> | string> {
  return Object.fromEntries(RELEASE_SELECTOR.map(([k, v]) => [k, typeof v === 'string' ? v : ctx.value(v)]));
}

/** Labels that select a component's pods; never change them on a live release. */
export function selectorLabels(ctx: RenderContext, component: string): Record<string, Val<string> | string> {
  return { ...releasePodLabels(ctx), 'app.kubernetes.io/component': component };
}

/** Standard app.kubernetes.io labels plus the configured extra labels (which cannot override them). */
export function labels(ctx: RenderContext, component: string): Val<Record<string, string>> {
  return ctx.value(labelsOf(component));
}

export interface ObjectMeta {
  readonly name: string | Val<string>;
  readonly namespace: Val<string>;
  readonly labels: Val<Record<string, string>>;
  readonly annotations?: Record<string, string> | Val<Record<string, string>>;
}

/** metadata of a namespaced object named `<fullname>-<suffix>`. */
export function metadata(ctx: RenderContext, suffix: string, component: string): ObjectMeta {
  return { name: resourceName(ctx, suffix), namespace: namespace(ctx), labels: labels(ctx, component) };
}

/** The chart's _helpers.tpl: the `define` of every named template the chart's expressions use. */
export function helpersTemplate(used: ReadonlyMap<string, Operand>): string {
  const all = new Map<string, Operand>([...namedTemplates(FULLNAME, AUTH_SECRET, labelsOf("x")), ...used]);
  return [...all.keys()].sort().map((name) => defineTemplate(all.get(name) as Parameters<typeof defineTemplate>[0])).join('\n');
}
