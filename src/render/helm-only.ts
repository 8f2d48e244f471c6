import { CHART_NAME, Operand, goOperand, nested } from '../config/expr';
import { AUTH_SECRET, NAMESPACE } from '../components/shared/naming';
import { RenderContext, Val } from './context';
import { CustomResourceApi, apiVersionKind } from './custom-resources';

/**
 * What only Helm can do: read the cluster (`lookup`) and make random values. Besides
 * src/config/expr.ts (which compiles expressions), this is the one file that writes Go;
 * a test keeps Go out of every other file under src/components.
 */

/** Length of a generated password (alphanumeric: ~190 bits). */
export const GENERATED_PASSWORD_LENGTH = 32;

const GENERATORS = {
  password: `randAlphaNum ${GENERATED_PASSWORD_LENGTH} | b64enc`, // pragma: allowlist secret -- a template that generates the password, not one
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

/** Where the chart keeps the defaults its fill restores (src/config/coalesce.ts valuesShape). */
export const VALUES_SHAPE_FILE = 'files/values-shape.json';

/**
 * The first action of every template: restore the defaults of named keys that are missing from
 * .Values (a section set to null, or `helm upgrade --reuse-values` from an older chart whose values
 * lack the newer keys), so no template meets a nil map. The TypeScript twin is chartValues() in
 * src/config/coalesce.ts; the parity and reuse-values tests hold them equal.
 */
export const VALUES_INCLUDE = `{{- include "${CHART_NAME}.values" . -}}`;

export function valuesTemplates(): string {
  return `{{/* Restores the defaults of missing keys (see ${VALUES_SHAPE_FILE}); maps of free keys are not filled inside. */}}
{{- define "${CHART_NAME}.fill" -}}
{{- $values := index . 0 -}}
{{- $shape := index . 1 -}}
{{- range $key, $default := $shape.defaults -}}
{{- if not (hasKey $values $key) -}}
{{- $_ := set $values $key (deepCopy $default) -}}
{{- end -}}
{{- end -}}
{{- range $key, $inner := $shape.sections -}}
{{- $value := index $values $key -}}
{{- if kindIs "map" $value -}}
{{- include "${CHART_NAME}.fill" (list $value $inner) -}}
{{- end -}}
{{- end -}}
{{- end -}}

{{- define "${CHART_NAME}.values" -}}
{{- include "${CHART_NAME}.fill" (list .Values (.Files.Get "${VALUES_SHAPE_FILE}" | fromJson)) -}}
{{- end -}}
`;
}

/** The chart renders a custom resource where the cluster serves its API, or where the values insist. */
export function servedCondition(api: CustomResourceApi): string {
  return `or (.Capabilities.APIVersions.Has ${JSON.stringify(apiVersionKind(api))}) (eq .Values.renderCustomResources "always")`;
}
