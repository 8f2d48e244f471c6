import { CHECKS, PodLike, checkPod } from '../support/pod-security-admission';
import { K8sObject, renderValues } from '../support/manifests';
import { POD_SECURITY_LABELS } from '../../src/components/namespace';
import { Rendering, allPodSpecs, allRenderingsWithChartDefaults } from './renderings';

const renderings: Rendering[] = allRenderingsWithChartDefaults();

const where = (r: Rendering, p: { owner: K8sObject; path: string }) => `${r.label} ${p.owner.kind}/${p.owner.metadata.name} ${p.path}`;

describe('every pod template of every environment, in dist/ and in the Helm renderings', () => {
  test.each(renderings.map((r) => [r.label, r] as const))('%s has pod templates to check', (_, r) => {
    expect(allPodSpecs(r.objects).length).toBeGreaterThan(0);
  });

  test.each(renderings.map((r) => [r.label, r] as const))('%s passes Pod Security "restricted" with 0 violations', (_, r) => {
    const violations = allPodSpecs(r.objects).flatMap((p) =>
      checkPod({ spec: p.spec, metadata: p.metadata }, 'restricted').map((v) => `${where(r, p)}: ${v.check} ${v.field} (${v.detail})`),
    );
    expect(violations).toEqual([]);
  });

  test.each(renderings.map((r) => [r.label, r] as const))('%s gives every workload a ServiceAccount of its own component, without an API token', (_, r) => {
    expect(serviceAccountProblems(r)).toEqual([]);
  });

  test.each(renderings.map((r) => [r.label, r] as const))(
    '%s runs every container with a read-only root filesystem, non-root ids and fsGroup for its volumes',
    (_, r) => {
      expect(hardeningProblems(r)).toEqual([]);
    },
  );

  test('the ServiceAccount and hardening checks catch a weakened workload', () => {
    const r = renderings.find((x) => x.label === 'dist/production')!;
    const objects = structuredClone(r.objects);
    const redis = objects.find((o) => o.kind === 'StatefulSet' && o.metadata.name.endsWith('-redis'))!;
    const sentinel = objects.find((o) => o.kind === 'StatefulSet' && o.metadata.name.endsWith('-sentinel'))!;
    redis.spec.template.spec.automountServiceAccountToken = true;
    redis.spec.template.spec.containers[0].securityContext.readOnlyRootFilesystem = false;
    delete redis.spec.template.spec.securityContext.fsGroup;
    sentinel.spec.template.spec.serviceAccountName = redis.spec.template.spec.serviceAccountName;
    const weakened = { ...r, objects };
    expect(serviceAccountProblems(weakened).join('\n')).toMatch(/automountServiceAccountToken is not false[\s\S]*component sentinel shares ServiceAccount/);
    expect(hardeningProblems(weakened).join('\n')).toMatch(/redis: readOnlyRootFilesystem is not true[\s\S]*volumes without a non-zero fsGroup/);
  });
});

function serviceAccountProblems(r: Rendering): string[] {
  const problems: string[] = [];
  const accounts = new Map(r.objects.filter((o) => o.kind === 'ServiceAccount').map((o) => [o.metadata.name, o]));
  const bound = new Set(
    r.objects
      .filter((o) => o.kind === 'RoleBinding' || o.kind === 'ClusterRoleBinding')
      .flatMap((o) => (o.subjects ?? []).filter((s: any) => s.kind === 'ServiceAccount').map((s: any) => s.name)),
  );
  const owners = new Map<string, string>();
  for (const p of allPodSpecs(r.objects)) {
    const sa = p.spec.serviceAccountName;
    // Jobs of one component (the maintenance CronJobs) may share its account; components may not.
    const owner = p.metadata.labels?.['app.kubernetes.io/component'] ?? `${p.owner.kind}/${p.owner.metadata.name}`;
    if (!sa || sa === 'default') {
      problems.push(`${where(r, p)}: no dedicated serviceAccountName`);
      continue;
    }
    if (!accounts.has(sa)) problems.push(`${where(r, p)}: ServiceAccount ${sa} is not part of the rendering`);
    if (owners.has(sa) && owners.get(sa) !== owner) problems.push(`${where(r, p)}: component ${owner} shares ServiceAccount ${sa} with ${owners.get(sa)}`);
    owners.set(sa, owner);
    // A workload that needs the API gets a RoleBinding; every other one has no token at all.
    if (!bound.has(sa)) {
      if (p.spec.automountServiceAccountToken !== false) problems.push(`${where(r, p)}: automountServiceAccountToken is not false`);
      if (accounts.get(sa)?.automountServiceAccountToken !== false) problems.push(`${r.label} ServiceAccount/${sa}: automountServiceAccountToken is not false`);
    }
  }
  return problems;
}

function hardeningProblems(r: Rendering): string[] {
  const problems: string[] = [];
  for (const p of allPodSpecs(r.objects)) {
    const pod = p.spec.securityContext ?? {};
    for (const c of [...(p.spec.initContainers ?? []), ...p.spec.containers]) {
      const sc = c.securityContext ?? {};
      if (sc.readOnlyRootFilesystem !== true) problems.push(`${where(r, p)} ${c.name}: readOnlyRootFilesystem is not true`);
      const uid = sc.runAsUser ?? pod.runAsUser;
      const gid = sc.runAsGroup ?? pod.runAsGroup;
      if (!(Number.isInteger(uid) && uid > 0)) problems.push(`${where(r, p)} ${c.name}: runAsUser ${uid} is not a non-zero uid`);
      if (!(Number.isInteger(gid) && gid > 0)) problems.push(`${where(r, p)} ${c.name}: runAsGroup ${gid} is not a non-zero gid`);
    }
    const claims = p.owner.spec?.volumeClaimTemplates ?? [];
    const writable = [...(p.spec.volumes ?? []), ...claims].length > 0;
    if (writable && !(Number.isInteger(pod.fsGroup) && pod.fsGroup > 0)) problems.push(`${where(r, p)}: volumes without a non-zero fsGroup`);
  }
  return problems;
}

describe('the namespace', () => {
  const base = { auth: { existingSecret: 's' }, networkPolicy: { clients: { podSelector: { app: 'web' } } } };

  test('is created with the Pod Security "restricted" labels, enforce, audit and warn at version latest', () => {
    const ns = renderValues({ ...base, namespace: { name: 'sessions' } }).filter((o) => o.kind === 'Namespace');
    expect(ns).toHaveLength(1);
    expect(ns[0].metadata.name).toBe('sessions');
    expect(ns[0].metadata.labels).toMatchObject({
      'pod-security.kubernetes.io/enforce': 'restricted',
      'pod-security.kubernetes.io/enforce-version': 'latest',
      'pod-security.kubernetes.io/audit': 'restricted',
      'pod-security.kubernetes.io/audit-version': 'latest',
      'pod-security.kubernetes.io/warn': 'restricted',
      'pod-security.kubernetes.io/warn-version': 'latest',
    });
    expect(POD_SECURITY_LABELS).toEqual(Object.fromEntries(Object.entries(ns[0].metadata.labels!).filter(([k]) => k.startsWith('pod-security'))));
  });

  test('configured labels cannot weaken the Pod Security labels', () => {
    const ns = renderValues({ ...base, namespace: { name: 'sessions' }, labels: { 'pod-security.kubernetes.io/enforce': 'privileged' } })
      .find((o) => o.kind === 'Namespace')!;
    expect(ns.metadata.labels!['pod-security.kubernetes.io/enforce']).toBe('restricted');
  });

  test('is not created with namespace.create false (an existing namespace is used) nor without a namespace name', () => {
    expect(renderValues({ ...base, namespace: { name: 'sessions', create: false } }).filter((o) => o.kind === 'Namespace')).toEqual([]);
    expect(renderValues(base).filter((o) => o.kind === 'Namespace')).toEqual([]);
  });

  test.each(renderings.filter((r) => r.env !== 'chart-defaults').map((r) => [r.label, r] as const))(
    '%s creates the namespace its objects live in, labelled restricted',
    (_, r) => {
      const ns = r.objects.filter((o) => o.kind === 'Namespace');
      expect(ns).toHaveLength(1);
      expect(ns[0].metadata.labels!['pod-security.kubernetes.io/enforce']).toBe('restricted');
      const namespaced = r.objects.filter((o) => o.kind !== 'Namespace');
      expect(new Set(namespaced.map((o) => o.metadata.namespace))).toEqual(new Set([ns[0].metadata.name]));
    },
  );
});

/** A pod that passes "restricted"; each case below breaks exactly one rule. */
function compliantPod(): PodLike {
  return {
    metadata: { annotations: {} },
    spec: {
      securityContext: { runAsNonRoot: true, runAsUser: 1000, runAsGroup: 1000, fsGroup: 1000, seccompProfile: { type: 'RuntimeDefault' } },
      initContainers: [
        { name: 'init', image: 'x', securityContext: { allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] } } },
      ],
      containers: [
        {
          name: 'app',
          image: 'x',
          ports: [{ name: 'http', containerPort: 8080 }],
          securityContext: { allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: { drop: ['ALL'], add: ['NET_BIND_SERVICE'] } },
        },
      ],
      volumes: [
        { name: 'c', configMap: { name: 'c' } },
        { name: 's', secret: { secretName: 's' } },
        { name: 'e', emptyDir: {} },
        { name: 'p', persistentVolumeClaim: { claimName: 'p' } },
        { name: 'pr', projected: { sources: [] } },
        { name: 'd', downwardAPI: { items: [] } },
        { name: 'csi', csi: { driver: 'x' } },
        { name: 'eph', ephemeral: { volumeClaimTemplate: {} } },
      ],
    },
  };
}

type Mutation = (pod: { metadata: any; spec: any }) => void;
const app = (p: { spec: any }) => p.spec.containers[0];
const init = (p: { spec: any }) => p.spec.initContainers[0];

/** [check, case, level of the check, mutation, other restricted checks the same field rightly trips] */
const violatingPods: [string, string, 'baseline' | 'restricted', Mutation, string[]?][] = [
  ['hostProcess', 'a Windows HostProcess pod', 'baseline', (p) => { p.spec.securityContext.windowsOptions = { hostProcess: true }; }],
  ['hostProcess', 'a HostProcess container', 'baseline', (p) => { app(p).securityContext.windowsOptions = { hostProcess: true }; }],
  ['hostNamespaces', 'hostNetwork', 'baseline', (p) => { p.spec.hostNetwork = true; }],
  ['hostNamespaces', 'hostPID', 'baseline', (p) => { p.spec.hostPID = true; }],
  ['hostNamespaces', 'hostIPC', 'baseline', (p) => { p.spec.hostIPC = true; }],
  ['privileged', 'a privileged container', 'baseline', (p) => { app(p).securityContext.privileged = true; }],
  ['privileged', 'a privileged init container', 'baseline', (p) => { init(p).securityContext.privileged = true; }],
  ['capabilities_baseline', 'adding SYS_ADMIN', 'baseline', (p) => { app(p).securityContext.capabilities.add = ['SYS_ADMIN']; }, ['capabilities_restricted']],
  ['hostPathVolumes', 'a hostPath volume', 'baseline', (p) => { p.spec.volumes.push({ name: 'h', hostPath: { path: '/var/run' } }); }, ['restrictedVolumes']],
  ['hostPorts', 'a hostPort', 'baseline', (p) => { app(p).ports[0].hostPort = 8080; }],
  ['appArmorProfile', 'an Unconfined AppArmor profile', 'baseline', (p) => { app(p).securityContext.appArmorProfile = { type: 'Unconfined' }; }],
  ['appArmorProfile', 'an unconfined AppArmor annotation', 'baseline', (p) => { p.metadata.annotations['container.apparmor.security.beta.kubernetes.io/app'] = 'unconfined'; }],
  ['seLinuxOptions', 'a custom SELinux type', 'baseline', (p) => { p.spec.securityContext.seLinuxOptions = { type: 'spc_t' }; }],
  ['seLinuxOptions', 'an SELinux user', 'baseline', (p) => { app(p).securityContext.seLinuxOptions = { user: 'system_u' }; }],
  ['seLinuxOptions', 'an SELinux role', 'baseline', (p) => { app(p).securityContext.seLinuxOptions = { role: 'system_r' }; }],
  ['procMount', 'an Unmasked /proc', 'baseline', (p) => { app(p).securityContext.procMount = 'Unmasked'; }],
  ['seccompProfile_baseline', 'an Unconfined seccomp profile', 'baseline', (p) => { app(p).securityContext.seccompProfile = { type: 'Unconfined' }; }, ['seccompProfile_restricted']],
  ['sysctls', 'an unsafe sysctl', 'baseline', (p) => { p.spec.securityContext.sysctls = [{ name: 'kernel.msgmax', value: '1' }]; }],
  ['restrictedVolumes', 'an nfs volume', 'restricted', (p) => { p.spec.volumes.push({ name: 'n', nfs: { server: 'x', path: '/' } }); }],
  ['restrictedVolumes', 'a gitRepo volume', 'restricted', (p) => { p.spec.volumes.push({ name: 'g', gitRepo: { repository: 'x' } }); }],
  ['allowPrivilegeEscalation', 'allowPrivilegeEscalation unset', 'restricted', (p) => { delete app(p).securityContext.allowPrivilegeEscalation; }],
  ['allowPrivilegeEscalation', 'allowPrivilegeEscalation true in an init container', 'restricted', (p) => { init(p).securityContext.allowPrivilegeEscalation = true; }],
  ['runAsNonRoot', 'runAsNonRoot unset everywhere', 'restricted', (p) => { delete p.spec.securityContext.runAsNonRoot; }],
  ['runAsNonRoot', 'a container with runAsNonRoot false', 'restricted', (p) => { app(p).securityContext.runAsNonRoot = false; }],
  ['runAsUser', 'runAsUser 0 on the pod', 'restricted', (p) => { p.spec.securityContext.runAsUser = 0; }],
  ['runAsUser', 'runAsUser 0 on a container', 'restricted', (p) => { app(p).securityContext.runAsUser = 0; }],
  ['seccompProfile_restricted', 'no seccomp profile anywhere', 'restricted', (p) => { delete p.spec.securityContext.seccompProfile; }],
  ['capabilities_restricted', 'capabilities not dropped', 'restricted', (p) => { app(p).securityContext.capabilities.drop = ['NET_RAW']; }],
  ['capabilities_restricted', 'adding CHOWN (allowed by baseline only)', 'restricted', (p) => { app(p).securityContext.capabilities.add = ['CHOWN']; }],
];

describe('the Pod Security Admission checks', () => {
  test('pass a compliant pod at both levels', () => {
    expect(checkPod(compliantPod(), 'restricted')).toEqual([]);
    expect(checkPod(compliantPod(), 'baseline')).toEqual([]);
  });

  test.each(violatingPods)('%s catches %s', (check, _, level, mutate, alsoRestricted = []) => {
    const pod = structuredClone(compliantPod()) as any;
    mutate(pod);
    const found = checkPod(pod, 'restricted');
    expect([...new Set(found.map((v) => v.check))].sort()).toEqual([check, ...alsoRestricted].sort());
    // A restricted-only problem passes baseline; a baseline problem fails both.
    expect([...new Set(checkPod(pod, 'baseline').map((v) => v.check))]).toEqual(level === 'baseline' ? [check] : []);
  });

  test('have a violating pod for every check', () => {
    expect(new Set(violatingPods.map(([check]) => check))).toEqual(new Set(CHECKS.map((c) => c.id)));
  });

  test('relax seccomp, capabilities and privilege escalation for Windows pods, as upstream does', () => {
    const pod = structuredClone(compliantPod()) as any;
    pod.spec.os = { name: 'windows' };
    delete pod.spec.securityContext.seccompProfile;
    delete app(pod).securityContext.allowPrivilegeEscalation;
    app(pod).securityContext.capabilities = {};
    expect(checkPod(pod, 'restricted')).toEqual([]);
  });
});
