{{- define "session-database.validate" -}}
{{- if and (eq .Values.redis.service.type "ClusterIP") (.Values.redis.service.nodePorts.redis) }}
{{- fail (printf "values: redis.service.nodePorts.redis is %v but redis.service.type is ClusterIP, which opens no node port; set redis.service.type: NodePort (or LoadBalancer), or remove the node port" (int64 .Values.redis.service.nodePorts.redis)) }}
{{- end }}
{{- if and (eq .Values.redis.service.type "ClusterIP") (.Values.redis.service.externalTrafficPolicy) }}
{{- fail (printf "values: redis.service.externalTrafficPolicy is %v but redis.service.type is ClusterIP, which has no external traffic; set redis.service.type: NodePort or LoadBalancer, or remove externalTrafficPolicy" .Values.redis.service.externalTrafficPolicy) }}
{{- end }}
{{- if and (ne .Values.redis.service.type "LoadBalancer") (.Values.redis.service.loadBalancerSourceRanges) }}
{{- fail (printf "values: redis.service.loadBalancerSourceRanges is set but redis.service.type is %v, which makes no load balancer to restrict (Kubernetes refuses it); set redis.service.type: LoadBalancer, or remove loadBalancerSourceRanges" .Values.redis.service.type) }}
{{- end }}
{{- if hasKey (default dict .Values.redis.service.labels) "app.kubernetes.io/name" }}
{{- fail (printf "values: redis.service.labels sets app.kubernetes.io/name, one of the labels that select the pods (app.kubernetes.io/name, instance, component); remove it from redis.service.labels (extra labels such as team: sessions are fine)" ) }}
{{- end }}
{{- if hasKey (default dict .Values.redis.service.labels) "app.kubernetes.io/instance" }}
{{- fail (printf "values: redis.service.labels sets app.kubernetes.io/instance, one of the labels that select the pods (app.kubernetes.io/name, instance, component); remove it from redis.service.labels (extra labels such as team: sessions are fine)" ) }}
{{- end }}
{{- if hasKey (default dict .Values.redis.service.labels) "app.kubernetes.io/component" }}
{{- fail (printf "values: redis.service.labels sets app.kubernetes.io/component, one of the labels that select the pods (app.kubernetes.io/name, instance, component); remove it from redis.service.labels (extra labels such as team: sessions are fine)" ) }}
{{- end }}
{{- if and (eq .Values.redis.sentinel.service.type "ClusterIP") (.Values.redis.sentinel.service.nodePorts.sentinel) }}
{{- fail (printf "values: redis.sentinel.service.nodePorts.sentinel is %v but redis.sentinel.service.type is ClusterIP, which opens no node port; set redis.sentinel.service.type: NodePort (or LoadBalancer), or remove the node port" (int64 .Values.redis.sentinel.service.nodePorts.sentinel)) }}
{{- end }}
{{- if and (eq .Values.redis.sentinel.service.type "ClusterIP") (.Values.redis.sentinel.service.externalTrafficPolicy) }}
{{- fail (printf "values: redis.sentinel.service.externalTrafficPolicy is %v but redis.sentinel.service.type is ClusterIP, which has no external traffic; set redis.sentinel.service.type: NodePort or LoadBalancer, or remove externalTrafficPolicy" .Values.redis.sentinel.service.externalTrafficPolicy) }}
{{- end }}
{{- if and (ne .Values.redis.sentinel.service.type "LoadBalancer") (.Values.redis.sentinel.service.loadBalancerSourceRanges) }}
{{- fail (printf "values: redis.sentinel.service.loadBalancerSourceRanges is set but redis.sentinel.service.type is %v, which makes no load balancer to restrict (Kubernetes refuses it); set redis.sentinel.service.type: LoadBalancer, or remove loadBalancerSourceRanges" .Values.redis.sentinel.service.type) }}
{{- end }}
{{- if hasKey (default dict .Values.redis.sentinel.service.labels) "app.kubernetes.io/name" }}
{{- fail (printf "values: redis.sentinel.service.labels sets app.kubernetes.io/name, one of the labels that select the pods (app.kubernetes.io/name, instance, component); remove it from redis.sentinel.service.labels (extra labels such as team: sessions are fine)" ) }}
{{- end }}
{{- if hasKey (default dict .Values.redis.sentinel.service.labels) "app.kubernetes.io/instance" }}
{{- fail (printf "values: redis.sentinel.service.labels sets app.kubernetes.io/instance, one of the labels that select the pods (app.kubernetes.io/name, instance, component); remove it from redis.sentinel.service.labels (extra labels such as team: sessions are fine)" ) }}
{{- end }}
{{- if hasKey (default dict .Values.redis.sentinel.service.labels) "app.kubernetes.io/component" }}
{{- fail (printf "values: redis.sentinel.service.labels sets app.kubernetes.io/component, one of the labels that select the pods (app.kubernetes.io/name, instance, component); remove it from redis.sentinel.service.labels (extra labels such as team: sessions are fine)" ) }}
{{- end }}
{{- if and (eq .Values.redis.masterEndpoint.service.type "ClusterIP") (.Values.redis.masterEndpoint.service.nodePorts.redis) }}
{{- fail (printf "values: redis.masterEndpoint.service.nodePorts.redis is %v but redis.masterEndpoint.service.type is ClusterIP, which opens no node port; set redis.masterEndpoint.service.type: NodePort (or LoadBalancer), or remove the node port" (int64 .Values.redis.masterEndpoint.service.nodePorts.redis)) }}
{{- end }}
{{- if and (eq .Values.redis.masterEndpoint.service.type "ClusterIP") (.Values.redis.masterEndpoint.service.externalTrafficPolicy) }}
{{- fail (printf "values: redis.masterEndpoint.service.externalTrafficPolicy is %v but redis.masterEndpoint.service.type is ClusterIP, which has no external traffic; set redis.masterEndpoint.service.type: NodePort or LoadBalancer, or remove externalTrafficPolicy" .Values.redis.masterEndpoint.service.externalTrafficPolicy) }}
{{- end }}
{{- if and (ne .Values.redis.masterEndpoint.service.type "LoadBalancer") (.Values.redis.masterEndpoint.service.loadBalancerSourceRanges) }}
{{- fail (printf "values: redis.masterEndpoint.service.loadBalancerSourceRanges is set but redis.masterEndpoint.service.type is %v, which makes no load balancer to restrict (Kubernetes refuses it); set redis.masterEndpoint.service.type: LoadBalancer, or remove loadBalancerSourceRanges" .Values.redis.masterEndpoint.service.type) }}
{{- end }}
{{- if hasKey (default dict .Values.redis.masterEndpoint.service.labels) "app.kubernetes.io/name" }}
{{- fail (printf "values: redis.masterEndpoint.service.labels sets app.kubernetes.io/name, one of the labels that select the pods (app.kubernetes.io/name, instance, component); remove it from redis.masterEndpoint.service.labels (extra labels such as team: sessions are fine)" ) }}
{{- end }}
{{- if hasKey (default dict .Values.redis.masterEndpoint.service.labels) "app.kubernetes.io/instance" }}
{{- fail (printf "values: redis.masterEndpoint.service.labels sets app.kubernetes.io/instance, one of the labels that select the pods (app.kubernetes.io/name, instance, component); remove it from redis.masterEndpoint.service.labels (extra labels such as team: sessions are fine)" ) }}
{{- end }}
{{- if hasKey (default dict .Values.redis.masterEndpoint.service.labels) "app.kubernetes.io/component" }}
{{- fail (printf "values: redis.masterEndpoint.service.labels sets app.kubernetes.io/component, one of the labels that select the pods (app.kubernetes.io/name, instance, component); remove it from redis.masterEndpoint.service.labels (extra labels such as team: sessions are fine)" ) }}
{{- end }}
{{- if and (eq .Values.infinispan.service.type "ClusterIP") (.Values.infinispan.service.nodePorts.infinispan) }}
{{- fail (printf "values: infinispan.service.nodePorts.infinispan is %v but infinispan.service.type is ClusterIP, which opens no node port; set infinispan.service.type: NodePort (or LoadBalancer), or remove the node port" (int64 .Values.infinispan.service.nodePorts.infinispan)) }}
{{- end }}
{{- if and (eq .Values.infinispan.service.type "ClusterIP") (.Values.infinispan.service.externalTrafficPolicy) }}
{{- fail (printf "values: infinispan.service.externalTrafficPolicy is %v but infinispan.service.type is ClusterIP, which has no external traffic; set infinispan.service.type: NodePort or LoadBalancer, or remove externalTrafficPolicy" .Values.infinispan.service.externalTrafficPolicy) }}
{{- end }}
{{- if and (ne .Values.infinispan.service.type "LoadBalancer") (.Values.infinispan.service.loadBalancerSourceRanges) }}
{{- fail (printf "values: infinispan.service.loadBalancerSourceRanges is set but infinispan.service.type is %v, which makes no load balancer to restrict (Kubernetes refuses it); set infinispan.service.type: LoadBalancer, or remove loadBalancerSourceRanges" .Values.infinispan.service.type) }}
{{- end }}
{{- if hasKey (default dict .Values.infinispan.service.labels) "app.kubernetes.io/name" }}
{{- fail (printf "values: infinispan.service.labels sets app.kubernetes.io/name, one of the labels that select the pods (app.kubernetes.io/name, instance, component); remove it from infinispan.service.labels (extra labels such as team: sessions are fine)" ) }}
{{- end }}
{{- if hasKey (default dict .Values.infinispan.service.labels) "app.kubernetes.io/instance" }}
{{- fail (printf "values: infinispan.service.labels sets app.kubernetes.io/instance, one of the labels that select the pods (app.kubernetes.io/name, instance, component); remove it from infinispan.service.labels (extra labels such as team: sessions are fine)" ) }}
{{- end }}
{{- if hasKey (default dict .Values.infinispan.service.labels) "app.kubernetes.io/component" }}
{{- fail (printf "values: infinispan.service.labels sets app.kubernetes.io/component, one of the labels that select the pods (app.kubernetes.io/name, instance, component); remove it from infinispan.service.labels (extra labels such as team: sessions are fine)" ) }}
{{- end }}
{{- if and (eq .Values.monitoring.standalone.prometheus.service.type "ClusterIP") (.Values.monitoring.standalone.prometheus.service.nodePorts.http) }}
{{- fail (printf "values: monitoring.standalone.prometheus.service.nodePorts.http is %v but monitoring.standalone.prometheus.service.type is ClusterIP, which opens no node port; set monitoring.standalone.prometheus.service.type: NodePort (or LoadBalancer), or remove the node port" (int64 .Values.monitoring.standalone.prometheus.service.nodePorts.http)) }}
{{- end }}
{{- if and (eq .Values.monitoring.standalone.prometheus.service.type "ClusterIP") (.Values.monitoring.standalone.prometheus.service.externalTrafficPolicy) }}
{{- fail (printf "values: monitoring.standalone.prometheus.service.externalTrafficPolicy is %v but monitoring.standalone.prometheus.service.type is ClusterIP, which has no external traffic; set monitoring.standalone.prometheus.service.type: NodePort or LoadBalancer, or remove externalTrafficPolicy" .Values.monitoring.standalone.prometheus.service.externalTrafficPolicy) }}
{{- end }}
{{- if and (ne .Values.monitoring.standalone.prometheus.service.type "LoadBalancer") (.Values.monitoring.standalone.prometheus.service.loadBalancerSourceRanges) }}
{{- fail (printf "values: monitoring.standalone.prometheus.service.loadBalancerSourceRanges is set but monitoring.standalone.prometheus.service.type is %v, which makes no load balancer to restrict (Kubernetes refuses it); set monitoring.standalone.prometheus.service.type: LoadBalancer, or remove loadBalancerSourceRanges" .Values.monitoring.standalone.prometheus.service.type) }}
{{- end }}
{{- if hasKey (default dict .Values.monitoring.standalone.prometheus.service.labels) "app.kubernetes.io/name" }}
{{- fail (printf "values: monitoring.standalone.prometheus.service.labels sets app.kubernetes.io/name, one of the labels that select the pods (app.kubernetes.io/name, instance, component); remove it from monitoring.standalone.prometheus.service.labels (extra labels such as team: sessions are fine)" ) }}
{{- end }}
{{- if hasKey (default dict .Values.monitoring.standalone.prometheus.service.labels) "app.kubernetes.io/instance" }}
{{- fail (printf "values: monitoring.standalone.prometheus.service.labels sets app.kubernetes.io/instance, one of the labels that select the pods (app.kubernetes.io/name, instance, component); remove it from monitoring.standalone.prometheus.service.labels (extra labels such as team: sessions are fine)" ) }}
{{- end }}
{{- if hasKey (default dict .Values.monitoring.standalone.prometheus.service.labels) "app.kubernetes.io/component" }}
{{- fail (printf "values: monitoring.standalone.prometheus.service.labels sets app.kubernetes.io/component, one of the labels that select the pods (app.kubernetes.io/name, instance, component); remove it from monitoring.standalone.prometheus.service.labels (extra labels such as team: sessions are fine)" ) }}
{{- end }}
{{- if and (eq .Values.monitoring.standalone.alertmanager.service.type "ClusterIP") (.Values.monitoring.standalone.alertmanager.service.nodePorts.http) }}
{{- fail (printf "values: monitoring.standalone.alertmanager.service.nodePorts.http is %v but monitoring.standalone.alertmanager.service.type is ClusterIP, which opens no node port; set monitoring.standalone.alertmanager.service.type: NodePort (or LoadBalancer), or remove the node port" (int64 .Values.monitoring.standalone.alertmanager.service.nodePorts.http)) }}
{{- end }}
{{- if and (eq .Values.monitoring.standalone.alertmanager.service.type "ClusterIP") (.Values.monitoring.standalone.alertmanager.service.externalTrafficPolicy) }}
{{- fail (printf "values: monitoring.standalone.alertmanager.service.externalTrafficPolicy is %v but monitoring.standalone.alertmanager.service.type is ClusterIP, which has no external traffic; set monitoring.standalone.alertmanager.service.type: NodePort or LoadBalancer, or remove externalTrafficPolicy" .Values.monitoring.standalone.alertmanager.service.externalTrafficPolicy) }}
{{- end }}
{{- if and (ne .Values.monitoring.standalone.alertmanager.service.type "LoadBalancer") (.Values.monitoring.standalone.alertmanager.service.loadBalancerSourceRanges) }}
{{- fail (printf "values: monitoring.standalone.alertmanager.service.loadBalancerSourceRanges is set but monitoring.standalone.alertmanager.service.type is %v, which makes no load balancer to restrict (Kubernetes refuses it); set monitoring.standalone.alertmanager.service.type: LoadBalancer, or remove loadBalancerSourceRanges" .Values.monitoring.standalone.alertmanager.service.type) }}
{{- end }}
{{- if hasKey (default dict .Values.monitoring.standalone.alertmanager.service.labels) "app.kubernetes.io/name" }}
{{- fail (printf "values: monitoring.standalone.alertmanager.service.labels sets app.kubernetes.io/name, one of the labels that select the pods (app.kubernetes.io/name, instance, component); remove it from monitoring.standalone.alertmanager.service.labels (extra labels such as team: sessions are fine)" ) }}
{{- end }}
{{- if hasKey (default dict .Values.monitoring.standalone.alertmanager.service.labels) "app.kubernetes.io/instance" }}
{{- fail (printf "values: monitoring.standalone.alertmanager.service.labels sets app.kubernetes.io/instance, one of the labels that select the pods (app.kubernetes.io/name, instance, component); remove it from monitoring.standalone.alertmanager.service.labels (extra labels such as team: sessions are fine)" ) }}
{{- end }}
{{- if hasKey (default dict .Values.monitoring.standalone.alertmanager.service.labels) "app.kubernetes.io/component" }}
{{- fail (printf "values: monitoring.standalone.alertmanager.service.labels sets app.kubernetes.io/component, one of the labels that select the pods (app.kubernetes.io/name, instance, component); remove it from monitoring.standalone.alertmanager.service.labels (extra labels such as team: sessions are fine)" ) }}
{{- end }}
{{- if and (eq .Values.monitoring.standalone.grafana.service.type "ClusterIP") (.Values.monitoring.standalone.grafana.service.nodePorts.http) }}
{{- fail (printf "values: monitoring.standalone.grafana.service.nodePorts.http is %v but monitoring.standalone.grafana.service.type is ClusterIP, which opens no node port; set monitoring.standalone.grafana.service.type: NodePort (or LoadBalancer), or remove the node port" (int64 .Values.monitoring.standalone.grafana.service.nodePorts.http)) }}
{{- end }}
{{- if and (eq .Values.monitoring.standalone.grafana.service.type "ClusterIP") (.Values.monitoring.standalone.grafana.service.externalTrafficPolicy) }}
{{- fail (printf "values: monitoring.standalone.grafana.service.externalTrafficPolicy is %v but monitoring.standalone.grafana.service.type is ClusterIP, which has no external traffic; set monitoring.standalone.grafana.service.type: NodePort or LoadBalancer, or remove externalTrafficPolicy" .Values.monitoring.standalone.grafana.service.externalTrafficPolicy) }}
{{- end }}
{{- if and (ne .Values.monitoring.standalone.grafana.service.type "LoadBalancer") (.Values.monitoring.standalone.grafana.service.loadBalancerSourceRanges) }}
{{- fail (printf "values: monitoring.standalone.grafana.service.loadBalancerSourceRanges is set but monitoring.standalone.grafana.service.type is %v, which makes no load balancer to restrict (Kubernetes refuses it); set monitoring.standalone.grafana.service.type: LoadBalancer, or remove loadBalancerSourceRanges" .Values.monitoring.standalone.grafana.service.type) }}
{{- end }}
{{- if hasKey (default dict .Values.monitoring.standalone.grafana.service.labels) "app.kubernetes.io/name" }}
{{- fail (printf "values: monitoring.standalone.grafana.service.labels sets app.kubernetes.io/name, one of the labels that select the pods (app.kubernetes.io/name, instance, component); remove it from monitoring.standalone.grafana.service.labels (extra labels such as team: sessions are fine)" ) }}
{{- end }}
{{- if hasKey (default dict .Values.monitoring.standalone.grafana.service.labels) "app.kubernetes.io/instance" }}
{{- fail (printf "values: monitoring.standalone.grafana.service.labels sets app.kubernetes.io/instance, one of the labels that select the pods (app.kubernetes.io/name, instance, component); remove it from monitoring.standalone.grafana.service.labels (extra labels such as team: sessions are fine)" ) }}
{{- end }}
{{- if hasKey (default dict .Values.monitoring.standalone.grafana.service.labels) "app.kubernetes.io/component" }}
{{- fail (printf "values: monitoring.standalone.grafana.service.labels sets app.kubernetes.io/component, one of the labels that select the pods (app.kubernetes.io/name, instance, component); remove it from monitoring.standalone.grafana.service.labels (extra labels such as team: sessions are fine)" ) }}
{{- end }}
{{- if and (and (eq .Values.redis.mode "sentinel") (.Values.redis.autoscaling.enabled)) (not (ge (int64 .Values.redis.autoscaling.maxReplicas) (int64 .Values.redis.replicas))) }}
{{- fail (printf "values: redis.autoscaling.maxReplicas is %v, below redis.replicas (%v), the least the autoscaler keeps; set maxReplicas to at least redis.replicas" (int64 .Values.redis.autoscaling.maxReplicas) (int64 .Values.redis.replicas)) }}
{{- end }}
{{- if and (.Values.auth.externalSecret.enabled) (.Values.auth.existingSecret) }}
{{- fail (printf "values: auth.externalSecret.enabled is true and auth.existingSecret is %v: the passwords must come from one place; remove auth.existingSecret or set auth.externalSecret.enabled: false" .Values.auth.existingSecret) }}
{{- end }}
{{- if and (.Values.auth.externalSecret.enabled) (not (.Values.auth.externalSecret.secretStoreRef.name)) }}
{{- fail (printf "values: auth.externalSecret.secretStoreRef.name is empty but auth.externalSecret.enabled is true; name the SecretStore (or ClusterSecretStore, with secretStoreRef.kind) that holds the passwords" ) }}
{{- end }}
{{- if and (.Values.auth.externalSecret.enabled) (not (or (.Values.auth.externalSecret.remoteKey) (.Values.auth.externalSecret.remoteKeyPrefix))) }}
{{- fail (printf "values: auth.externalSecret.remoteKey and auth.externalSecret.remoteKeyPrefix are both empty; set remoteKey (one remote secret with a property per password) or remoteKeyPrefix (one remote secret per password)" ) }}
{{- end }}
{{- if and (.Values.auth.externalSecret.enabled) (and (.Values.auth.externalSecret.remoteKey) (.Values.auth.externalSecret.remoteKeyPrefix)) }}
{{- fail (printf "values: auth.externalSecret.remoteKeyPrefix is %v and auth.externalSecret.remoteKey is %v; set only one of them" .Values.auth.externalSecret.remoteKeyPrefix .Values.auth.externalSecret.remoteKey) }}
{{- end }}
{{- if regexMatch "\"name\":\"(default|app|cache|monitor|cleanup|backup|replication|sentinel)\"" (toJson .Values.auth.extraUsers) }}
{{- fail (printf "values: auth.extraUsers names a built-in ACL user (default, app, cache, monitor, cleanup, backup, replication or sentinel), whose rules the chart owns; give the extra user a name of its own (e.g. reports)" ) }}
{{- end }}
{{- if regexMatch "(?i)\"rules\":\"([^\"]* )?(nopass|reset|resetpass|resetkeys|allcommands|allkeys|allchannels|\\+@all|\\+@dangerous|\\+@admin|(~|%[rw]+~)\\*|[^\" ]*%password[^\" ]*)( [^\"]*)?\"" (toJson .Values.auth.extraUsers) }}
{{- fail (printf "values: auth.extraUsers has rules that would weaken the ACLs (nopass, reset, resetpass, resetkeys, allcommands, +@all, +@dangerous, +@admin, allkeys, ~*, allchannels or a %%PASSWORD marker); grant the key patterns and commands the user needs, e.g. \"~reports:* +@read +ping\"" ) }}
{{- end }}
{{- if not (eq (len (uniq (regexFindAll "\"name\":\"[^\"]*\"" (toJson (default list .Values.auth.extraUsers)) -1))) (len (default list .Values.auth.extraUsers))) }}
{{- fail (printf "values: auth.extraUsers names one user twice, and Redis refuses an ACL file with a duplicate user (the Redis pods would not start); give each extra user a name of its own" ) }}
{{- end }}
{{- if and (.Values.infinispan.enabled) (not (le (int64 .Values.infinispan.cache.owners) (int64 .Values.infinispan.replicas))) }}
{{- fail (printf "values: infinispan.cache.owners is %v but only %v Infinispan servers run (infinispan.replicas), so the cache cannot keep that many copies; lower infinispan.cache.owners or raise infinispan.replicas" (int64 .Values.infinispan.cache.owners) (int64 .Values.infinispan.replicas)) }}
{{- end }}
{{- if and (.Values.infinispan.enabled) (not (le (int64 .Values.infinispan.cache.maxIdleMilliseconds) (int64 .Values.infinispan.cache.lifespanMilliseconds))) }}
{{- fail (printf "values: infinispan.cache.maxIdleMilliseconds is %v, longer than infinispan.cache.lifespanMilliseconds (%v), so the idle limit could never apply; set maxIdleMilliseconds at most lifespanMilliseconds (e.g. 1800000 with 3600000)" (int64 .Values.infinispan.cache.maxIdleMilliseconds) (int64 .Values.infinispan.cache.lifespanMilliseconds)) }}
{{- end }}
{{- if and (and (.Values.infinispan.enabled) (.Values.infinispan.podDisruptionBudget.enabled)) (not (lt (int64 .Values.infinispan.podDisruptionBudget.maxUnavailable) (int64 .Values.infinispan.cache.owners))) }}
{{- fail (printf "values: infinispan.podDisruptionBudget.maxUnavailable is %v but every session has only %v copies (infinispan.cache.owners), so a drain could take all copies of some sessions at once; set maxUnavailable below owners (1 is safest)" (int64 .Values.infinispan.podDisruptionBudget.maxUnavailable) (int64 .Values.infinispan.cache.owners)) }}
{{- end }}
{{- if and (.Values.tls.enabled) (not (or (.Values.tls.issuerRef.name) (.Values.tls.bootstrapCA))) }}
{{- fail (printf "values: tls.issuerRef.name is empty and tls.bootstrapCA is false, so nothing would sign the TLS certificates; name an existing cert-manager Issuer/ClusterIssuer or set tls.bootstrapCA: true" ) }}
{{- end }}
{{- if or (hasKey (default (dict) .Values.commonLabels) "app.kubernetes.io/name") (hasKey (default (dict) .Values.commonLabels) "app.kubernetes.io/instance") (hasKey (default (dict) .Values.commonLabels) "app.kubernetes.io/component") (hasKey (default (dict) .Values.commonLabels) "app.kubernetes.io/part-of") (hasKey (default (dict) .Values.commonLabels) "app.kubernetes.io/version") (hasKey (default (dict) .Values.commonLabels) "app.kubernetes.io/managed-by") }}
{{- fail (printf "values: commonLabels sets one of the chart's own labels (app.kubernetes.io/name, app.kubernetes.io/instance, app.kubernetes.io/component, app.kubernetes.io/part-of, app.kubernetes.io/version, app.kubernetes.io/managed-by), which name and select its objects and cannot be changed; remove that key, or use another label key" ) }}
{{- end }}
{{- if or (hasKey (default (dict) .Values.labels) "app.kubernetes.io/name") (hasKey (default (dict) .Values.labels) "app.kubernetes.io/instance") (hasKey (default (dict) .Values.labels) "app.kubernetes.io/component") (hasKey (default (dict) .Values.labels) "app.kubernetes.io/part-of") (hasKey (default (dict) .Values.labels) "app.kubernetes.io/version") (hasKey (default (dict) .Values.labels) "app.kubernetes.io/managed-by") }}
{{- fail (printf "values: labels sets one of the chart's own labels (app.kubernetes.io/name, app.kubernetes.io/instance, app.kubernetes.io/component, app.kubernetes.io/part-of, app.kubernetes.io/version, app.kubernetes.io/managed-by), which name and select its objects and cannot be changed; remove that key, or use another label key" ) }}
{{- end }}
{{- if or (hasKey (default (dict) .Values.redis.podLabels) "app.kubernetes.io/name") (hasKey (default (dict) .Values.redis.podLabels) "app.kubernetes.io/instance") (hasKey (default (dict) .Values.redis.podLabels) "app.kubernetes.io/component") (hasKey (default (dict) .Values.redis.podLabels) "app.kubernetes.io/part-of") (hasKey (default (dict) .Values.redis.podLabels) "app.kubernetes.io/version") (hasKey (default (dict) .Values.redis.podLabels) "app.kubernetes.io/managed-by") }}
{{- fail (printf "values: redis.podLabels sets one of the chart's own labels (app.kubernetes.io/name, app.kubernetes.io/instance, app.kubernetes.io/component, app.kubernetes.io/part-of, app.kubernetes.io/version, app.kubernetes.io/managed-by), which name and select its objects and cannot be changed; remove that key, or use another label key" ) }}
{{- end }}
{{- if or (hasKey (default (dict) .Values.redis.sentinel.podLabels) "app.kubernetes.io/name") (hasKey (default (dict) .Values.redis.sentinel.podLabels) "app.kubernetes.io/instance") (hasKey (default (dict) .Values.redis.sentinel.podLabels) "app.kubernetes.io/component") (hasKey (default (dict) .Values.redis.sentinel.podLabels) "app.kubernetes.io/part-of") (hasKey (default (dict) .Values.redis.sentinel.podLabels) "app.kubernetes.io/version") (hasKey (default (dict) .Values.redis.sentinel.podLabels) "app.kubernetes.io/managed-by") }}
{{- fail (printf "values: redis.sentinel.podLabels sets one of the chart's own labels (app.kubernetes.io/name, app.kubernetes.io/instance, app.kubernetes.io/component, app.kubernetes.io/part-of, app.kubernetes.io/version, app.kubernetes.io/managed-by), which name and select its objects and cannot be changed; remove that key, or use another label key" ) }}
{{- end }}
{{- if or (hasKey (default (dict) .Values.redis.masterEndpoint.podLabels) "app.kubernetes.io/name") (hasKey (default (dict) .Values.redis.masterEndpoint.podLabels) "app.kubernetes.io/instance") (hasKey (default (dict) .Values.redis.masterEndpoint.podLabels) "app.kubernetes.io/component") (hasKey (default (dict) .Values.redis.masterEndpoint.podLabels) "app.kubernetes.io/part-of") (hasKey (default (dict) .Values.redis.masterEndpoint.podLabels) "app.kubernetes.io/version") (hasKey (default (dict) .Values.redis.masterEndpoint.podLabels) "app.kubernetes.io/managed-by") }}
{{- fail (printf "values: redis.masterEndpoint.podLabels sets one of the chart's own labels (app.kubernetes.io/name, app.kubernetes.io/instance, app.kubernetes.io/component, app.kubernetes.io/part-of, app.kubernetes.io/version, app.kubernetes.io/managed-by), which name and select its objects and cannot be changed; remove that key, or use another label key" ) }}
{{- end }}
{{- if or (hasKey (default (dict) .Values.maintenance.podLabels) "app.kubernetes.io/name") (hasKey (default (dict) .Values.maintenance.podLabels) "app.kubernetes.io/instance") (hasKey (default (dict) .Values.maintenance.podLabels) "app.kubernetes.io/component") (hasKey (default (dict) .Values.maintenance.podLabels) "app.kubernetes.io/part-of") (hasKey (default (dict) .Values.maintenance.podLabels) "app.kubernetes.io/version") (hasKey (default (dict) .Values.maintenance.podLabels) "app.kubernetes.io/managed-by") }}
{{- fail (printf "values: maintenance.podLabels sets one of the chart's own labels (app.kubernetes.io/name, app.kubernetes.io/instance, app.kubernetes.io/component, app.kubernetes.io/part-of, app.kubernetes.io/version, app.kubernetes.io/managed-by), which name and select its objects and cannot be changed; remove that key, or use another label key" ) }}
{{- end }}
{{- if or (hasKey (default (dict) .Values.infinispan.podLabels) "app.kubernetes.io/name") (hasKey (default (dict) .Values.infinispan.podLabels) "app.kubernetes.io/instance") (hasKey (default (dict) .Values.infinispan.podLabels) "app.kubernetes.io/component") (hasKey (default (dict) .Values.infinispan.podLabels) "app.kubernetes.io/part-of") (hasKey (default (dict) .Values.infinispan.podLabels) "app.kubernetes.io/version") (hasKey (default (dict) .Values.infinispan.podLabels) "app.kubernetes.io/managed-by") }}
{{- fail (printf "values: infinispan.podLabels sets one of the chart's own labels (app.kubernetes.io/name, app.kubernetes.io/instance, app.kubernetes.io/component, app.kubernetes.io/part-of, app.kubernetes.io/version, app.kubernetes.io/managed-by), which name and select its objects and cannot be changed; remove that key, or use another label key" ) }}
{{- end }}
{{- if or (hasKey (default (dict) .Values.monitoring.standalone.prometheus.podLabels) "app.kubernetes.io/name") (hasKey (default (dict) .Values.monitoring.standalone.prometheus.podLabels) "app.kubernetes.io/instance") (hasKey (default (dict) .Values.monitoring.standalone.prometheus.podLabels) "app.kubernetes.io/component") (hasKey (default (dict) .Values.monitoring.standalone.prometheus.podLabels) "app.kubernetes.io/part-of") (hasKey (default (dict) .Values.monitoring.standalone.prometheus.podLabels) "app.kubernetes.io/version") (hasKey (default (dict) .Values.monitoring.standalone.prometheus.podLabels) "app.kubernetes.io/managed-by") }}
{{- fail (printf "values: monitoring.standalone.prometheus.podLabels sets one of the chart's own labels (app.kubernetes.io/name, app.kubernetes.io/instance, app.kubernetes.io/component, app.kubernetes.io/part-of, app.kubernetes.io/version, app.kubernetes.io/managed-by), which name and select its objects and cannot be changed; remove that key, or use another label key" ) }}
{{- end }}
{{- if or (hasKey (default (dict) .Values.monitoring.standalone.alertmanager.podLabels) "app.kubernetes.io/name") (hasKey (default (dict) .Values.monitoring.standalone.alertmanager.podLabels) "app.kubernetes.io/instance") (hasKey (default (dict) .Values.monitoring.standalone.alertmanager.podLabels) "app.kubernetes.io/component") (hasKey (default (dict) .Values.monitoring.standalone.alertmanager.podLabels) "app.kubernetes.io/part-of") (hasKey (default (dict) .Values.monitoring.standalone.alertmanager.podLabels) "app.kubernetes.io/version") (hasKey (default (dict) .Values.monitoring.standalone.alertmanager.podLabels) "app.kubernetes.io/managed-by") }}
{{- fail (printf "values: monitoring.standalone.alertmanager.podLabels sets one of the chart's own labels (app.kubernetes.io/name, app.kubernetes.io/instance, app.kubernetes.io/component, app.kubernetes.io/part-of, app.kubernetes.io/version, app.kubernetes.io/managed-by), which name and select its objects and cannot be changed; remove that key, or use another label key" ) }}
{{- end }}
{{- if or (hasKey (default (dict) .Values.monitoring.standalone.grafana.podLabels) "app.kubernetes.io/name") (hasKey (default (dict) .Values.monitoring.standalone.grafana.podLabels) "app.kubernetes.io/instance") (hasKey (default (dict) .Values.monitoring.standalone.grafana.podLabels) "app.kubernetes.io/component") (hasKey (default (dict) .Values.monitoring.standalone.grafana.podLabels) "app.kubernetes.io/part-of") (hasKey (default (dict) .Values.monitoring.standalone.grafana.podLabels) "app.kubernetes.io/version") (hasKey (default (dict) .Values.monitoring.standalone.grafana.podLabels) "app.kubernetes.io/managed-by") }}
{{- fail (printf "values: monitoring.standalone.grafana.podLabels sets one of the chart's own labels (app.kubernetes.io/name, app.kubernetes.io/instance, app.kubernetes.io/component, app.kubernetes.io/part-of, app.kubernetes.io/version, app.kubernetes.io/managed-by), which name and select its objects and cannot be changed; remove that key, or use another label key" ) }}
{{- end }}
{{- if and (.Values.redis.resources.limits.memory) (not (le (float64 (include "session-database.bytes" (list "redis" (toString .Values.redis.master.maxmemory)))) (float64 (include "session-database.bytes" (list "kubernetes" (toString .Values.redis.resources.limits.memory)))))) }}
{{- fail (printf "values: redis.master.maxmemory is %v, more than the Redis container's memory limit redis.resources.limits.memory (%v), so the kernel would kill Redis (OOM) before maxmemory applies; lower maxmemory (about 75%% of the limit leaves room for replication buffers and forks) or raise the limit" .Values.redis.master.maxmemory .Values.redis.resources.limits.memory) }}
{{- end }}
{{- if and (and (eq .Values.redis.mode "sentinel") (.Values.redis.resources.limits.memory)) (not (le (float64 (include "session-database.bytes" (list "redis" (toString .Values.redis.replica.maxmemory)))) (float64 (include "session-database.bytes" (list "kubernetes" (toString .Values.redis.resources.limits.memory)))))) }}
{{- fail (printf "values: redis.replica.maxmemory is %v, more than the Redis container's memory limit redis.resources.limits.memory (%v), so the kernel would kill Redis (OOM) before maxmemory applies; lower maxmemory (about 75%% of the limit leaves room for replication buffers and forks) or raise the limit" .Values.redis.replica.maxmemory .Values.redis.resources.limits.memory) }}
{{- end }}
{{- if and (eq .Values.redis.mode "sentinel") (not (ge (int64 .Values.redis.sentinel.replicas) 3)) }}
{{- fail (printf "values: redis.sentinel.replicas is %v but sentinel mode needs at least 3 sentinels; set it to 3 or 5" (int64 .Values.redis.sentinel.replicas)) }}
{{- end }}
{{- if and (eq .Values.redis.mode "sentinel") (not (eq (mod (int64 .Values.redis.sentinel.replicas) 2) 1)) }}
{{- fail (printf "values: redis.sentinel.replicas is %v, an even number of sentinels adds no fault tolerance and can tie; use an odd number such as 3 or 5" (int64 .Values.redis.sentinel.replicas)) }}
{{- end }}
{{- if and (eq .Values.redis.mode "sentinel") (not (le (int64 .Values.redis.sentinel.quorum) (int64 .Values.redis.sentinel.replicas))) }}
{{- fail (printf "values: redis.sentinel.quorum is %v but there are only %v sentinels; set quorum to a majority of them (e.g. 2 of 3)" (int64 .Values.redis.sentinel.quorum) (int64 .Values.redis.sentinel.replicas)) }}
{{- end }}
{{- if and (eq .Values.redis.mode "sentinel") (not (ge (int64 .Values.redis.sentinel.quorum) (add (div (int64 .Values.redis.sentinel.replicas) 2) 1))) }}
{{- fail (printf "values: redis.sentinel.quorum is %v, less than a majority of %v sentinels, so a minority could start a failover; set it to at least a majority (2 of 3, 3 of 5)" (int64 .Values.redis.sentinel.quorum) (int64 .Values.redis.sentinel.replicas)) }}
{{- end }}
{{- if and (eq .Values.redis.mode "sentinel") (not (ge (int64 .Values.redis.replicas) 2)) }}
{{- fail (printf "values: redis.replicas is %v but sentinel mode needs a master and at least one replica; set it to 3 (or use redis.mode: standalone)" (int64 .Values.redis.replicas)) }}
{{- end }}
{{- if and (eq .Values.redis.mode "standalone") (not (eq (int64 .Values.redis.replicas) 1)) }}
{{- fail (printf "values: redis.replicas is %v but standalone mode runs exactly one Redis node; set it to 1 or use redis.mode: sentinel" (int64 .Values.redis.replicas)) }}
{{- end }}
{{- if and (eq .Values.redis.mode "sentinel") (not (lt (int64 .Values.redis.minReplicasToWrite) (int64 .Values.redis.replicas))) }}
{{- fail (printf "values: redis.minReplicasToWrite is %v but only %v Redis nodes exist (one is the master), so the master would refuse every write; set it below redis.replicas" (int64 .Values.redis.minReplicasToWrite) (int64 .Values.redis.replicas)) }}
{{- end }}
{{- if not (ne (int64 .Values.redis.databases.sessions) (int64 .Values.redis.databases.cache)) }}
{{- fail (printf "values: redis.databases.cache is %v, the same database as redis.databases.sessions; give the cache its own database (e.g. 1)" (int64 .Values.redis.databases.cache)) }}
{{- end }}
{{- if not (lt (int64 .Values.redis.databases.sessions) (int64 .Values.redis.databases.count)) }}
{{- fail (printf "values: redis.databases.sessions is %v but only databases 0..%v exist (count is exclusive); pick an index below redis.databases.count" (int64 .Values.redis.databases.sessions) (int64 .Values.redis.databases.count)) }}
{{- end }}
{{- if not (lt (int64 .Values.redis.databases.cache) (int64 .Values.redis.databases.count)) }}
{{- fail (printf "values: redis.databases.cache is %v but only databases 0..%v exist (count is exclusive); pick an index below redis.databases.count" (int64 .Values.redis.databases.cache) (int64 .Values.redis.databases.count)) }}
{{- end }}
{{- if and (and (eq .Values.redis.mode "sentinel") (ge (int64 .Values.redis.replicas) 2)) (not (lt (int64 .Values.redis.podDisruptionBudget.maxUnavailable) (int64 .Values.redis.replicas))) }}
{{- fail (printf "values: redis.podDisruptionBudget.maxUnavailable is %v, which lets a drain take every Redis node at once; set it below redis.replicas (1 is safest)" (int64 .Values.redis.podDisruptionBudget.maxUnavailable)) }}
{{- end }}
{{- if and (and (eq .Values.redis.mode "sentinel") (ge (int64 .Values.redis.sentinel.replicas) 3) (le (int64 .Values.redis.sentinel.quorum) (int64 .Values.redis.sentinel.replicas))) (not (le (int64 .Values.redis.sentinel.podDisruptionBudget.maxUnavailable) (sub (int64 .Values.redis.sentinel.replicas) (int64 .Values.redis.sentinel.quorum)))) }}
{{- fail (printf "values: redis.sentinel.podDisruptionBudget.maxUnavailable is %v, so a drain could leave fewer than quorum (%v) sentinels; set it to at most redis.sentinel.replicas - redis.sentinel.quorum, or lower the quorum" (int64 .Values.redis.sentinel.podDisruptionBudget.maxUnavailable) (int64 .Values.redis.sentinel.quorum)) }}
{{- end }}
{{- if and (eq .Values.monitoring.mode "standalone") (not (.Values.monitoring.standalone.grafana.adminSecret)) }}
{{- fail (printf "values: monitoring.standalone.grafana.adminSecret is empty but standalone monitoring runs Grafana, which must never fall back to admin/admin; create a Secret with keys admin-user and admin-password and name it here" ) }}
{{- end }}
{{- if and (and (eq .Values.monitoring.mode "standalone") (.Values.monitoring.standalone.ingress.enabled)) (not (.Values.monitoring.standalone.ingress.host)) }}
{{- fail (printf "values: monitoring.standalone.ingress.host is empty but the Grafana Ingress is enabled; set the host name (e.g. grafana.example.com) or disable the Ingress" ) }}
{{- end }}
{{- if and (and (eq .Values.monitoring.mode "standalone") (.Values.monitoring.standalone.ingress.enabled)) (not (.Values.monitoring.standalone.ingress.tlsSecret)) }}
{{- fail (printf "values: monitoring.standalone.ingress.tlsSecret is empty but the Grafana Ingress is enabled; Grafana is only exposed over TLS, name the Secret holding the certificate" ) }}
{{- end }}
{{- if regexMatch "(?mi)^[ \\t]*(user|aclfile|requirepass|masteruser|masterauth|rename-command|bind|port|dir|include|loadmodule|protected-mode|enable-debug-command|enable-module-command|enable-protected-configs|tls-[a-z-]+)([ \\t]|$)" (toString .Values.redis.extraConfig) }}
{{- fail (printf "values: redis.extraConfig sets a directive the chart manages (user, aclfile, requirepass, masteruser, masterauth, rename-command, bind, port, dir, include, loadmodule, protected-mode, enable-*-command, enable-protected-configs or tls-*); ACL users, passwords, addresses and TLS come from auth.*, tls.* and the pod: remove those lines" ) }}
{{- end }}
{{- if regexMatch "(?mi)^[ \\t]*(user|aclfile|requirepass|masteruser|masterauth|rename-command|bind|port|dir|include|loadmodule|protected-mode|daemonize|logfile|tls-[a-z-]+|sentinel[ \\t]+(monitor|auth-pass|auth-user|sentinel-user|sentinel-pass|announce-[a-z]+|resolve-hostnames|deny-scripts-reconfig|notification-script|client-reconfig-script|myid|known-[a-z]+|[a-z]+-epoch|down-after-milliseconds|failover-timeout|parallel-syncs|rename-command))([ \\t]|$)" (toString .Values.redis.sentinel.extraConfig) }}
{{- fail (printf "values: redis.sentinel.extraConfig sets a directive the chart manages (user, aclfile, requirepass, rename-command, bind, port, dir, include, loadmodule, protected-mode, daemonize, logfile, tls-*, or sentinel monitor, auth-pass, auth-user, sentinel-user, sentinel-pass, announce-*, resolve-hostnames, deny-scripts-reconfig, notification-script, client-reconfig-script, myid, known-*, *-epoch, down-after-milliseconds, failover-timeout, parallel-syncs, rename-command); the master, credentials, addresses and scripts come from redis.*, auth.*, tls.* and the pod: remove those lines (use redis.sentinel.* for the failover timings)" ) }}
{{- end }}
{{- if and (.Values.maintenance.backup.s3.enabled) (not (.Values.maintenance.backup.enabled)) }}
{{- fail (printf "values: maintenance.backup.s3.enabled is true but maintenance.backup.enabled is false; the upload copies what the backup Job takes: enable the backup or set maintenance.backup.s3.enabled: false" ) }}
{{- end }}
{{- if and (.Values.maintenance.backup.s3.enabled) (not (.Values.maintenance.backup.s3.bucket)) }}
{{- fail (printf "values: maintenance.backup.s3.bucket is empty but maintenance.backup.s3.enabled is true; name the existing bucket the backups are copied to" ) }}
{{- end }}
{{- if and (and (.Values.maintenance.backup.s3.enabled) (.Values.tls.enabled)) (regexMatch "(?m)^http://" (toString .Values.maintenance.backup.s3.endpoint)) }}
{{- fail (printf "values: maintenance.backup.s3.endpoint is %v, plain HTTP while tls.enabled is true: every session in the backup would cross the network unencrypted; use the https:// endpoint of the store" .Values.maintenance.backup.s3.endpoint) }}
{{- end }}
{{- if not (lt .Values.monitoring.alerts.memoryWarningRatio .Values.monitoring.alerts.memoryCriticalRatio) }}
{{- fail (printf "values: monitoring.alerts.memoryWarningRatio is %v, not below memoryCriticalRatio (%v); the warning must come first, e.g. 0.8 and 0.9" .Values.monitoring.alerts.memoryWarningRatio .Values.monitoring.alerts.memoryCriticalRatio) }}
{{- end }}
{{- end -}}
