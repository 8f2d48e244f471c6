{{- define "session-database.validate" -}}
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
{{- if and (eq .Values.redis.mode "sentinel") (not (le (int64 .Values.redis.sentinel.podDisruptionBudget.maxUnavailable) (sub (int64 .Values.redis.sentinel.replicas) (int64 .Values.redis.sentinel.quorum)))) }}
{{- fail (printf "values: redis.sentinel.podDisruptionBudget.maxUnavailable is %v, so a drain could leave fewer than quorum (%v) sentinels; set it to at most replicas - quorum" (int64 .Values.redis.sentinel.podDisruptionBudget.maxUnavailable) (int64 .Values.redis.sentinel.quorum)) }}
{{- end }}
{{- end -}}
