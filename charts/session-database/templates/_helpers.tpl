{{- define "session-database.fullname" -}}
{{- trimSuffix "-" (trunc 63 (default .Release.Name .Values.fullnameOverride)) -}}
{{- end -}}

{{- define "session-database.labels" -}}
{{- $root := index . 0 -}}
{{- toJson (merge (dict "app.kubernetes.io/name" "session-database" "app.kubernetes.io/instance" $root.Release.Name "app.kubernetes.io/component" (index . 1) "app.kubernetes.io/part-of" "session-database" "app.kubernetes.io/version" $root.Chart.AppVersion "app.kubernetes.io/managed-by" $root.Release.Service) (deepCopy $root.Values.labels)) -}}
{{- end -}}
