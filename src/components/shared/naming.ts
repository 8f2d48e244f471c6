import { RenderContext } from '../../render/context';

export const CHART_NAME = 'session-database';

/** Base name of every object: fullnameOverride, else the release name. */
export function fullname(ctx: RenderContext): string {
  const name = (ctx.config.fullnameOverride || ctx.release.releaseName).slice(0, 63).replace(/-+$/, '');
  return ctx.expr(`include "${CHART_NAME}.fullname" .`, name);
}

/** `<fullname>-<suffix>`. */
export function resourceName(ctx: RenderContext, suffix: string): string {
  return `${fullname(ctx)}-${suffix}`;
}

export function namespace(ctx: RenderContext): string {
  return ctx.expr('default .Release.Namespace .Values.namespace.name', ctx.config.namespace.name || 'default');
}

/** Labels that select a component's pods; never change them on a live release. */
export function selectorLabels(ctx: RenderContext, component: string): Record<string, string> {
  return {
    'app.kubernetes.io/name': CHART_NAME,
    'app.kubernetes.io/instance': ctx.expr('.Release.Name', ctx.release.releaseName),
    'app.kubernetes.io/component': component,
  };
}

/** Standard app.kubernetes.io labels plus the configured extra labels (which cannot override them). */
export function labels(ctx: RenderContext, component: string): Record<string, string> {
  const standard = {
    ...ctx.config.labels,
    'app.kubernetes.io/name': CHART_NAME,
    'app.kubernetes.io/instance': ctx.release.releaseName,
    'app.kubernetes.io/component': component,
    'app.kubernetes.io/part-of': CHART_NAME,
    'app.kubernetes.io/version': ctx.release.appVersion,
    'app.kubernetes.io/managed-by': ctx.release.managedBy,
  };
  return ctx.expr(`include "${CHART_NAME}.labels" (list . ${JSON.stringify(component)})`, standard, true);
}

export interface ObjectMeta {
  readonly name: string;
  readonly namespace: string;
  readonly labels: Record<string, string>;
  readonly annotations?: Record<string, string>;
}

/** metadata of a namespaced object named `<fullname>-<suffix>`. */
export function metadata(ctx: RenderContext, suffix: string, component: string): ObjectMeta {
  return { name: resourceName(ctx, suffix), namespace: namespace(ctx), labels: labels(ctx, component) };
}

/** The chart's _helpers.tpl: the Go side of fullname() and labels() above. */
export function helpersTemplate(): string {
  return `{{/* Base name of every object: fullnameOverride, else the release name. */}}
{{- define "${CHART_NAME}.fullname" -}}
{{- default .Release.Name .Values.fullnameOverride | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{/* Standard labels (JSON) for (list $ "component"); configured labels cannot override them. */}}
{{- define "${CHART_NAME}.labels" -}}
{{- $root := index . 0 -}}
{{- $standard := dict "app.kubernetes.io/name" "${CHART_NAME}" "app.kubernetes.io/instance" $root.Release.Name "app.kubernetes.io/component" (index . 1) "app.kubernetes.io/part-of" "${CHART_NAME}" "app.kubernetes.io/version" $root.Chart.AppVersion "app.kubernetes.io/managed-by" $root.Release.Service -}}
{{- toJson (merge $standard (deepCopy $root.Values.labels)) -}}
{{- end -}}
`;
}
