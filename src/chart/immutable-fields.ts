import { goOperand } from '../config/expr';
import { CHART_NAME, NAMESPACE } from '../components/shared/naming';
import { Token } from '../render/context';
import { chartDocuments, EmittedObject } from '../render/emit';

/**
 * templates/_immutable.tpl: `helm upgrade` refuses, before anything is applied, to change a field that
 * Kubernetes never changes on a live StatefulSet (its selector, serviceName, podManagementPolicy and claim
 * templates: name, access modes, class, size). The API server would refuse the StatefulSet half-way
 * through the upgrade, after other objects were already changed; this check names the field, the old
 * and the new value, and the way out.
 *
 * For each StatefulSet the chart renders, a named template renders its immutable fields from the same
 * construct (so the check can never disagree with the manifest), and the check compares them with the
 * live object (`lookup`; empty under `helm template` and client dry runs, where there is nothing to compare).
 */
export const IMMUTABLE_CHECK = `${CHART_NAME}.immutable`;

function immutableFields(sts: EmittedObject): EmittedObject {
  const object = sts.object as { metadata: { name: string }; spec: Record<string, unknown> };
  const { serviceName, podManagementPolicy, selector, volumeClaimTemplates } = object.spec;
  return {
    object: { name: object.metadata.name, serviceName, podManagementPolicy, selector, volumeClaimTemplates },
    conditions: sts.conditions,
  };
}

const CHECK = `{{- define "${IMMUTABLE_CHECK}" -}}
{{- $namespace := ${goOperand(NAMESPACE)} }}
{{- range $template := include "${IMMUTABLE_CHECK}.templates" . | splitList " " }}
{{- $want := include $template $ | fromYaml }}
{{- if $want.name }}
{{- $live := lookup "apps/v1" "StatefulSet" $namespace $want.name }}
{{- if $live }}
{{- $changes := list }}
{{- if ne (toString $live.spec.serviceName) (toString $want.serviceName) }}
{{- $changes = append $changes (printf "spec.serviceName from %v to %v" $live.spec.serviceName $want.serviceName) }}
{{- end }}
{{- if ne (toString $live.spec.podManagementPolicy) (default "OrderedReady" $want.podManagementPolicy) }}
{{- $changes = append $changes (printf "spec.podManagementPolicy from %v to %v" $live.spec.podManagementPolicy (default "OrderedReady" $want.podManagementPolicy)) }}
{{- end }}
{{- if ne (toJson $live.spec.selector) (toJson $want.selector) }}
{{- $changes = append $changes (printf "spec.selector from %s to %s" (toJson $live.spec.selector) (toJson $want.selector)) }}
{{- end }}
{{- $liveClaims := default list $live.spec.volumeClaimTemplates }}
{{- $wantClaims := default list $want.volumeClaimTemplates }}
{{- if ne (len $liveClaims) (len $wantClaims) }}
{{- $changes = append $changes (printf "spec.volumeClaimTemplates from %d to %d claim templates (persistence turned on or off)" (len $liveClaims) (len $wantClaims)) }}
{{- else }}
{{- range $i, $w := $wantClaims }}
{{- $l := index $liveClaims $i }}
{{- $claim := printf "spec.volumeClaimTemplates[%s]" $w.metadata.name }}
{{- if ne (toString $l.metadata.name) (toString $w.metadata.name) }}
{{- $changes = append $changes (printf "%s name from %v" $claim $l.metadata.name) }}
{{- end }}
{{- if ne (toJson $l.spec.accessModes) (toJson $w.spec.accessModes) }}
{{- $changes = append $changes (printf "%s accessModes from %s to %s" $claim (toJson $l.spec.accessModes) (toJson $w.spec.accessModes)) }}
{{- end }}
{{- if ne (toString (default "" $l.spec.storageClassName)) (toString (default "" $w.spec.storageClassName)) }}
{{- $changes = append $changes (printf "%s storageClassName from %q to %q" $claim (default "" $l.spec.storageClassName) (default "" $w.spec.storageClassName)) }}
{{- end }}
{{- if ne (toString $l.spec.resources.requests.storage) (toString $w.spec.resources.requests.storage) }}
{{- $changes = append $changes (printf "%s storage size from %v to %v (to grow the volumes, see the README's Scaling: Bigger volumes; if it is the same size written differently, write it as %v)" $claim $l.spec.resources.requests.storage $w.spec.resources.requests.storage $l.spec.resources.requests.storage) }}
{{- end }}
{{- end }}
{{- end }}
{{- if $changes }}
{{- fail (printf "upgrade refused, nothing was changed: StatefulSet %s/%s cannot change %s, because Kubernetes never changes these fields on a live StatefulSet. Keep the old values, or delete the StatefulSet without its pods (kubectl delete statefulset %s -n %s --cascade=orphan) and run the upgrade again" $namespace $want.name (join "; " $changes) $want.name $namespace) }}
{{- end }}
{{- end }}
{{- end }}
{{- end }}
{{- end -}}
`;

/** The immutable-field check of every StatefulSet in the rendered chart objects. */
export function immutableFieldsTemplate(objects: readonly EmittedObject[], tokens: readonly Token[]): string {
  const statefulSets = objects.filter((o) => o.object.kind === 'StatefulSet');
  const names = statefulSets.map((_, i) => `${IMMUTABLE_CHECK}.statefulset${i}`);
  const fields = statefulSets.map(
    (sts, i) => `{{- define "${names[i]}" -}}\n${chartDocuments([immutableFields(sts)], tokens)}{{- end -}}\n`,
  );
  return [`{{- define "${IMMUTABLE_CHECK}.templates" -}}${names.join(' ')}{{- end -}}\n`, ...fields, CHECK].join('');
}
