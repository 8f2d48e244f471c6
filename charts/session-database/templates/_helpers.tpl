{{/* Base name of every object: fullnameOverride, else the release name. */}}
{{- define "session-database.fullname" -}}
{{- default .Release.Name .Values.fullnameOverride | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{/* Standard labels (JSON) for (list $ "component"); configured labels cannot override them. */}}
{{- define "session-database.labels" -}}
{{- $root := index . 0 -}}
{{- $standard := dict "app.kubernetes.io/name" "session-database" "app.kubernetes.io/instance" $root.Release.Name "app.kubernetes.io/component" (index . 1) "app.kubernetes.io/part-of" "session-database" "app.kubernetes.io/version" $root.Chart.AppVersion "app.kubernetes.io/managed-by" $root.Release.Service -}}
{{- toJson (merge $standard (deepCopy $root.Values.labels)) -}}
{{- end -}}
