import { CHART_NAME, Operand, arg, at, concat, defineTemplate, dict, filled, include, lit, merge, namedTemplates, orElse, release, trimSuffix, trunc } from '../../config/expr';
import { FULLNAME_MAX } from '../../config/schema';
import { RenderContext, Val } from '../../render/context';

export { CHART_NAME };

/**
 * Names, namespace and labels: each one expression, evaluated for dist/ and compiled into the
 * chart (the named ones become the `define`s of _helpers.tpl), so the two can never disagree.
 */

/** Base name of every object: fullnameOverride, else the release name, cut to the length every derived name fits in. */
export const FULLNAME = include('fullname', trimSuffix('-', trunc(FULLNAME_MAX, orElse(at('fullnameOverride'), release('name')))));

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

/**
 * Labels of every object the release renders: the component's labels plus commonLabels (where they and
 * the deprecated `labels` set one key, commonLabels wins; neither may set the chart's own keys). Pod
 * templates carry labelsOf and podLabels instead, so that changing commonLabels restarts no pod.
 */
export const objectLabelsOf = (component: Operand<string> | string): Operand<Record<string, string>> =>
  merge(at('commonLabels') as Operand<Record<string, string>>, labelsOf(component));

/** Annotations of every object: `own` (the object's) over commonAnnotations. Never on pod or claim templates. */
export const objectAnnotations = (own: Operand<Record<string, string>> = lit({})): Operand<Record<string, string>> =>
  merge(own, at('commonAnnotations') as Operand<Record<string, string>>);

/** The object labels of a component (see objectLabelsOf). */
export function labels(ctx: RenderContext, component: string): Val<Record<string, string>> {
  return ctx.value(objectLabelsOf(component));
}

export interface ObjectMeta {
  readonly name: string | Val<string>;
  readonly namespace: Val<string>;
  readonly labels: Val<Record<string, string>>;
  readonly annotations?: Val<Record<string, string>>;
}

/**
 * metadata of a namespaced object named `<fullname>-<suffix>`: the object labels, and its own
 * annotations (`annotations`, e.g. Helm's resource policy) with commonAnnotations, when there are any.
 */
export function metadata(ctx: RenderContext, suffix: string, component: string, annotations?: Operand<Record<string, string>>): ObjectMeta {
  return { name: resourceName(ctx, suffix), namespace: namespace(ctx), labels: labels(ctx, component), annotations: objectAnnotationsOf(ctx, annotations) };
}

/** The annotations of objectAnnotations, left out when empty. */
export function objectAnnotationsOf(ctx: RenderContext, own?: Operand<Record<string, string>>): Val<Record<string, string>> | undefined {
  const annotations = objectAnnotations(own);
  return ctx.optional(filled(annotations), ctx.value(annotations));
}

/** The chart's _helpers.tpl: the `define` of every named template the chart's expressions use. */
export function helpersTemplate(used: ReadonlyMap<string, Operand>): string {
  const all = new Map<string, Operand>([...namedTemplates(FULLNAME, AUTH_SECRET, labelsOf("x")), ...used]);
  return [...all.keys()].sort().map((name) => defineTemplate(all.get(name) as Parameters<typeof defineTemplate>[0])).join('\n');
}
