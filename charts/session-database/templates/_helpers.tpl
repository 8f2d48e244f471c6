{{- define "session-database.containerSecurityContext" -}}
{{- $root := index . 0 -}}
{{- toJson (merge (deepCopy (index . 1)) (deepCopy (ternary (dict "runAsNonRoot" true "allowPrivilegeEscalation" false "readOnlyRootFilesystem" true "privileged" false "capabilities" (fromJson "{\"drop\":[\"ALL\"]}") "seccompProfile" (fromJson "{\"type\":\"RuntimeDefault\"}")) (dict "runAsUser" (index . 2) "runAsGroup" (index . 2) "runAsNonRoot" true "allowPrivilegeEscalation" false "readOnlyRootFilesystem" true "privileged" false "capabilities" (fromJson "{\"drop\":[\"ALL\"]}") "seccompProfile" (fromJson "{\"type\":\"RuntimeDefault\"}")) (not (empty ($root.Values.global.openshift)))))) -}}
{{- end -}}

{{- define "session-database.fullname" -}}
{{- trimSuffix "-" (trunc 36 (default .Release.Name .Values.fullnameOverride)) -}}
{{- end -}}

{{- define "session-database.image" -}}
{{- $root := index . 0 -}}
{{- print (ternary (print (default (index (index . 1) "registry") $root.Values.global.imageRegistry) "/") "" (not (empty (default (index (index . 1) "registry") $root.Values.global.imageRegistry)))) (index (index . 1) "repository") (ternary (print "@" (index (index . 1) "digest")) (print ":" (index (index . 1) "tag")) (not (empty (index (index . 1) "digest")))) -}}
{{- end -}}

{{- define "session-database.labels" -}}
{{- $root := index . 0 -}}
{{- toJson (merge (deepCopy (dict "app.kubernetes.io/name" "session-database" "app.kubernetes.io/instance" $root.Release.Name "app.kubernetes.io/component" (index . 1) "app.kubernetes.io/part-of" "session-database" "app.kubernetes.io/version" $root.Chart.AppVersion "app.kubernetes.io/managed-by" $root.Release.Service)) (deepCopy $root.Values.labels)) -}}
{{- end -}}

{{- define "session-database.podSecurityContext" -}}
{{- $root := index . 0 -}}
{{- toJson (merge (deepCopy (index . 1)) (deepCopy (ternary (dict "runAsNonRoot" true "fsGroupChangePolicy" "OnRootMismatch" "seccompProfile" (fromJson "{\"type\":\"RuntimeDefault\"}")) (dict "runAsNonRoot" true "runAsUser" (index . 2) "runAsGroup" (index . 2) "fsGroup" (index . 2) "fsGroupChangePolicy" "OnRootMismatch" "seccompProfile" (fromJson "{\"type\":\"RuntimeDefault\"}")) (not (empty ($root.Values.global.openshift)))))) -}}
{{- end -}}

{{/* Restores the defaults of missing keys (see files/values-shape.json); maps of free keys are not filled inside. */}}
{{- define "session-database.fill" -}}
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
{{- include "session-database.fill" (list $value $inner) -}}
{{- end -}}
{{- end -}}
{{- end -}}

{{- define "session-database.values" -}}
{{- include "session-database.fill" (list .Values (.Files.Get "files/values-shape.json" | fromJson)) -}}
{{- end -}}

{{- define "session-database.bytes" -}}
{{- $units := index . 0 -}}
{{- $text := index . 1 -}}
{{- $number := regexFind "^[0-9]+([.][0-9]+)?" $text -}}
{{- $suffix := trimPrefix $number $text -}}
{{- $factors := ternary (dict "" 1 "b" 1 "k" 1000 "kb" 1024 "m" 1000000 "mb" 1048576 "g" 1000000000 "gb" 1073741824) (dict "" 1 "m" 0.001 "k" 1000 "M" 1000000 "G" 1000000000 "T" 1000000000000 "P" 1000000000000000 "E" 1000000000000000000 "Ki" 1024 "Mi" 1048576 "Gi" 1073741824 "Ti" 1099511627776 "Pi" 1125899906842624 "Ei" 1152921504606847000) (eq $units "redis") -}}
{{- mulf (float64 $number) (get $factors (ternary (lower $suffix) $suffix (eq $units "redis"))) -}}
{{- end -}}
