/**
 * What changed in each chart version, for users upgrading (Artifact Hub shows it from Chart.yaml's
 * `artifacthub.io/changes`). Every version in package.json needs an entry (test/helm/chart-version.test.ts).
 */
export interface Change {
  readonly kind: 'added' | 'changed' | 'deprecated' | 'removed' | 'fixed' | 'security';
  readonly description: string;
}

export const CHANGES: Readonly<Record<string, readonly Change[]>> = {
  '0.3.0': [
    { kind: 'added', description: 'Images: global.imageRegistry, global.imagePullSecrets; per image registry, repository, tag, digest, pullPolicy, pullSecrets' },
    { kind: 'added', description: 'Per workload: nodeSelector, tolerations, affinity, topologySpreadConstraints, priorityClassName, schedulerName, terminationGracePeriodSeconds, podAnnotations, podLabels, extra env/volumes/mounts, sidecars, initContainers, serviceAccount, security contexts' },
    { kind: 'added', description: 'commonLabels and commonAnnotations on every object (not on pod or claim templates); global.openshift' },
    { kind: 'added', description: 'Persistence: accessModes, annotations, storageClass "-", persistentVolumeClaimRetentionPolicy' },
    { kind: 'changed', description: 'values/dev.yaml claims 20Gi like production, so a dev release can be upgraded to production settings' },
    { kind: 'changed', description: 'helm upgrade refuses, before applying anything, to change immutable StatefulSet fields' },
    { kind: 'changed', description: 'The chart\'s own app.kubernetes.io label keys are refused in labels, commonLabels and podLabels (they were silently ignored)' },
    { kind: 'changed', description: 'Certificates, Issuers, PodMonitors, PrometheusRules and ExternalSecrets render only where the cluster serves their API (renderCustomResources: always forces them); NOTES warn about what was left out' },
    { kind: 'changed', description: 'ExternalSecret uses external-secrets.io/v1 (External Secrets Operator 0.17 or later)' },
    { kind: 'added', description: 'A maxmemory above the Redis memory limit is refused; sessions and cache TTLs are published in the client contract ConfigMap' },
    { kind: 'added', description: 'Chart.yaml: kubeVersion, home, sources, icon, maintainers, Artifact Hub annotations; NOTES print rediss:// with TLS and the client selectors' },
    { kind: 'added', description: 'redis.sentinel.extraConfig, auth.existingSecretKeys, auth.extraUsers (weakening rules refused), redis.disableCommands' },
    { kind: 'changed', description: 'The cache ACL user no longer runs Lua scripts unless auth.cacheUserScripting; the cache cleanup CronJob runs as the cleanup user' },
    { kind: 'security', description: 'Default Redis image 7.2.11 (7.2.7 predates the fix of CVE-2025-49844 in Lua)' },
    { kind: 'added', description: 'Services: type, annotations, labels, loadBalancerSourceRanges, externalTrafficPolicy, nodePorts; NetworkPolicy extraIngress/extraEgress per workload' },
    { kind: 'added', description: 'kube-prometheus-stack: monitoring.labels, ServiceMonitor option, relabelings, extra rules, per-alert disable; per-release Grafana dashboard uids' },
    { kind: 'fixed', description: 'The chart works as a subchart: keys of other charts in global no longer fail the values schema' },
    { kind: 'deprecated', description: 'labels: use commonLabels' },
    { kind: 'fixed', description: 'The generated auth Secret is kept by helm uninstall, so a reinstall keeps the passwords' },
    { kind: 'changed', description: 'Infinispan StatefulSet podManagementPolicy OrderedReady: kubectl scale to 0 stops the pods one at a time, pod 0 last, and a start from zero starts pod 0 alone first (the lossless full restart of docs/infinispan.md). An existing release with Infinispan: kubectl delete statefulset <release>-infinispan --cascade=orphan, then upgrade' },
    { kind: 'added', description: 'helm test: a health check (healthCheck.*) that the Sentinels agree on one master, the master endpoint leads to it, app and cache users write, read and expire on their databases, TLS verifies with the client CA; the same script in the <release>-health-check ConfigMap for operators' },
    { kind: 'fixed', description: 'The cert-manager CA Certificate keeps its key on renewal (rotationPolicy Never): a renewed CA no longer breaks the trust of clients holding the old CA' },
    { kind: 'fixed', description: 'Maintenance jobs keep asking the Sentinels for up to 30 s instead of failing at once during a failover or before the NetworkPolicy implementation admits a new job pod' },
    { kind: 'fixed', description: 'Infinispan: JGroups failure detection (FD_SOCK2) listens on the pod address like the rest of JGroups, not on every address' },
    { kind: 'changed', description: 'The master\'s preStop handover asks each replica for its replication offset instead of waiting up to a second for the replicas\' periodic acknowledgement, so writes are paused for about half a second less; it points the other replicas at the new master itself, so a replica the Sentinels cannot reach yet (just recreated by a rollout) no longer leaves the new master refusing writes (min-replicas-to-write) for seconds; its log shows in kubectl logs' },
    { kind: 'fixed', description: 'The health check waits up to 30 s (HEALTH_CHECK_CONNECT_SECONDS) for its first address to take connections: on a real node the helm test Pod was refused by the NetworkPolicy firewall before it admitted the new pod, and failed at once' },
    { kind: 'added', description: 'healthCheck.nodeSelector and healthCheck.tolerations: the helm test Pod runs where the release runs (tainted or dedicated nodes)' },
    { kind: 'fixed', description: 'Redis and Sentinel probes make one redis-cli call bounded at 2 s, below their timeoutSeconds: a probe the kubelet killed left its redis-cli behind as a zombie of redis-server (PID 1)' },
  ],
  '0.2.0': [{ kind: 'added', description: 'Infinispan, TLS with cert-manager, monitoring, maintenance CronJobs, NetworkPolicies' }],
  '0.1.0': [{ kind: 'added', description: 'Redis with Sentinel HA, sessions and cache databases, restricted Pod Security' }],
};

export function changesOf(version: string): readonly Change[] {
  const changes = CHANGES[version];
  if (!changes) throw new Error(`src/chart/changes.ts has no entry for chart version ${version}; say what changed for users`);
  return changes;
}
