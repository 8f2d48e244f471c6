{{- define "session-database.immutable.templates" -}}session-database.immutable.statefulset0 session-database.immutable.statefulset1 session-database.immutable.statefulset2 session-database.immutable.statefulset3 session-database.immutable.statefulset4{{- end -}}
{{- define "session-database.immutable.statefulset0" -}}
---
name: {{ print (toString (include "session-database.fullname" .)) "-redis" | toJson }}
serviceName: {{ print (toString (include "session-database.fullname" .)) "-redis-headless" | toJson }}
podManagementPolicy: "Parallel"
selector:
  matchLabels:
    app.kubernetes.io/component: "redis"
    app.kubernetes.io/instance: {{ .Release.Name | toJson }}
    app.kubernetes.io/name: "session-database"
{{- if .Values.redis.persistence.enabled }}
volumeClaimTemplates:
  -
    metadata:
      name: "data"
{{- if .Values.redis.persistence.annotations }}
      annotations: {{ .Values.redis.persistence.annotations | toJson }}
{{- end }}
    spec:
      accessModes: {{ .Values.redis.persistence.accessModes | toJson }}
{{- if .Values.redis.persistence.storageClass }}
      storageClassName: {{ if eq .Values.redis.persistence.storageClass "-" }}""{{ else }}{{ .Values.redis.persistence.storageClass | toJson }}{{ end }}
{{- end }}
      resources:
        requests:
          storage: {{ .Values.redis.persistence.size | toJson }}
{{- end }}
{{- end -}}
{{- define "session-database.immutable.statefulset1" -}}
{{- if eq .Values.redis.mode "sentinel" }}
---
name: {{ print (toString (include "session-database.fullname" .)) "-sentinel" | toJson }}
serviceName: {{ print (toString (include "session-database.fullname" .)) "-sentinel-headless" | toJson }}
podManagementPolicy: "Parallel"
selector:
  matchLabels:
    app.kubernetes.io/component: "sentinel"
    app.kubernetes.io/instance: {{ .Release.Name | toJson }}
    app.kubernetes.io/name: "session-database"
{{- if .Values.redis.sentinel.persistence.enabled }}
volumeClaimTemplates:
  -
    metadata:
      name: "data"
{{- if .Values.redis.sentinel.persistence.annotations }}
      annotations: {{ .Values.redis.sentinel.persistence.annotations | toJson }}
{{- end }}
    spec:
      accessModes: {{ .Values.redis.sentinel.persistence.accessModes | toJson }}
{{- if .Values.redis.sentinel.persistence.storageClass }}
      storageClassName: {{ if eq .Values.redis.sentinel.persistence.storageClass "-" }}""{{ else }}{{ .Values.redis.sentinel.persistence.storageClass | toJson }}{{ end }}
{{- end }}
      resources:
        requests:
          storage: {{ .Values.redis.sentinel.persistence.size | toJson }}
{{- end }}
{{- end }}
{{- end -}}
{{- define "session-database.immutable.statefulset2" -}}
{{- if eq .Values.monitoring.mode "standalone" }}
---
name: {{ print (toString (include "session-database.fullname" .)) "-prometheus" | toJson }}
serviceName: {{ print (toString (include "session-database.fullname" .)) "-prometheus" | toJson }}
selector:
  matchLabels:
    app.kubernetes.io/component: "prometheus"
    app.kubernetes.io/instance: {{ .Release.Name | toJson }}
    app.kubernetes.io/name: "session-database"
volumeClaimTemplates:
  -
    metadata:
{{- if .Values.monitoring.standalone.prometheus.storage.annotations }}
      annotations: {{ .Values.monitoring.standalone.prometheus.storage.annotations | toJson }}
{{- end }}
      name: "data"
    spec:
      accessModes: {{ .Values.monitoring.standalone.prometheus.storage.accessModes | toJson }}
      resources:
        requests:
          storage: {{ .Values.monitoring.standalone.prometheus.storage.size | toJson }}
{{- if .Values.monitoring.standalone.prometheus.storage.storageClass }}
      storageClassName: {{ if eq .Values.monitoring.standalone.prometheus.storage.storageClass "-" }}""{{ else }}{{ .Values.monitoring.standalone.prometheus.storage.storageClass | toJson }}{{ end }}
{{- end }}
{{- end }}
{{- end -}}
{{- define "session-database.immutable.statefulset3" -}}
{{- if eq .Values.monitoring.mode "standalone" }}
---
name: {{ print (toString (include "session-database.fullname" .)) "-alertmanager" | toJson }}
serviceName: {{ print (toString (include "session-database.fullname" .)) "-alertmanager" | toJson }}
selector:
  matchLabels:
    app.kubernetes.io/component: "alertmanager"
    app.kubernetes.io/instance: {{ .Release.Name | toJson }}
    app.kubernetes.io/name: "session-database"
volumeClaimTemplates:
  -
    metadata:
{{- if .Values.monitoring.standalone.alertmanager.storage.annotations }}
      annotations: {{ .Values.monitoring.standalone.alertmanager.storage.annotations | toJson }}
{{- end }}
      name: "data"
    spec:
      accessModes: {{ .Values.monitoring.standalone.alertmanager.storage.accessModes | toJson }}
      resources:
        requests:
          storage: {{ .Values.monitoring.standalone.alertmanager.storage.size | toJson }}
{{- if .Values.monitoring.standalone.alertmanager.storage.storageClass }}
      storageClassName: {{ if eq .Values.monitoring.standalone.alertmanager.storage.storageClass "-" }}""{{ else }}{{ .Values.monitoring.standalone.alertmanager.storage.storageClass | toJson }}{{ end }}
{{- end }}
{{- end }}
{{- end -}}
{{- define "session-database.immutable.statefulset4" -}}
{{- if .Values.infinispan.enabled }}
---
name: {{ print (toString (include "session-database.fullname" .)) "-infinispan" | toJson }}
serviceName: {{ print (toString (include "session-database.fullname" .)) "-infinispan-ping" | toJson }}
podManagementPolicy: "OrderedReady"
selector:
  matchLabels:
    app.kubernetes.io/component: "infinispan"
    app.kubernetes.io/instance: {{ .Release.Name | toJson }}
    app.kubernetes.io/name: "session-database"
volumeClaimTemplates:
  -
    metadata:
{{- if .Values.infinispan.persistence.annotations }}
      annotations: {{ .Values.infinispan.persistence.annotations | toJson }}
{{- end }}
      name: "data"
    spec:
      accessModes: {{ .Values.infinispan.persistence.accessModes | toJson }}
      resources:
        requests:
          storage: {{ .Values.infinispan.persistence.size | toJson }}
{{- if .Values.infinispan.persistence.storageClass }}
      storageClassName: {{ if eq .Values.infinispan.persistence.storageClass "-" }}""{{ else }}{{ .Values.infinispan.persistence.storageClass | toJson }}{{ end }}
{{- end }}
{{- end }}
{{- end -}}
{{- define "session-database.immutable" -}}
{{- $namespace := default .Release.Namespace .Values.namespace.name }}
{{- range $template := include "session-database.immutable.templates" . | splitList " " }}
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
