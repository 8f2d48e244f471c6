/**
 * The Pod Security Standards checks of Pod Security Admission (k8s.io/pod-security-admission,
 * policy version "latest"), over a pod spec and its metadata — what the API server runs
 * for a namespace labelled pod-security.kubernetes.io/enforce: baseline|restricted.
 * https://kubernetes.io/docs/concepts/security/pod-security-standards/
 *
 * Each check returns the offending fields; a pod passes a level when every check of
 * that level (restricted includes baseline) returns nothing.
 */

export type Level = 'baseline' | 'restricted';

export interface Violation {
  /** Upstream check id, e.g. hostNamespaces, runAsNonRoot. */
  readonly check: string;
  readonly level: Level;
  /** Where, e.g. spec.containers[redis].securityContext.privileged. */
  readonly field: string;
  readonly detail: string;
}

export interface PodLike {
  readonly metadata?: { annotations?: Record<string, string>; [k: string]: unknown };
  readonly spec: any;
}

interface ContainerRef {
  readonly field: string;
  readonly container: any;
}

function containers(spec: any): ContainerRef[] {
  const out: ContainerRef[] = [];
  for (const kind of ['initContainers', 'containers', 'ephemeralContainers'] as const) {
    for (const c of spec?.[kind] ?? []) out.push({ field: `spec.${kind}[${c.name}]`, container: c });
  }
  return out;
}

const isWindows = (spec: any) => spec?.os?.name === 'windows';

export const BASELINE_CAPABILITIES = [
  'AUDIT_WRITE', 'CHOWN', 'DAC_OVERRIDE', 'FOWNER', 'FSETID', 'KILL', 'MKNOD', 'NET_BIND_SERVICE',
  'SETFCAP', 'SETGID', 'SETPCAP', 'SETUID', 'SYS_CHROOT',
];

export const SAFE_SYSCTLS = [
  'kernel.shm_rmid_forced', 'net.ipv4.ip_local_port_range', 'net.ipv4.ip_unprivileged_port_start',
  'net.ipv4.tcp_syncookies', 'net.ipv4.ping_group_range', 'net.ipv4.ip_local_reserved_ports',
  'net.ipv4.tcp_keepalive_time', 'net.ipv4.tcp_fin_timeout', 'net.ipv4.tcp_keepalive_intvl',
  'net.ipv4.tcp_keepalive_probes',
];

export const SELINUX_TYPES = ['', 'container_t', 'container_init_t', 'container_kvm_t', 'container_engine_t'];

export const RESTRICTED_VOLUME_TYPES = [
  'configMap', 'csi', 'downwardAPI', 'emptyDir', 'ephemeral', 'persistentVolumeClaim', 'projected', 'secret',
];

type Check = (pod: PodLike) => { field: string; detail: string }[];

interface CheckDefinition {
  readonly id: string;
  readonly level: Level;
  readonly run: Check;
}

/** Pod-level and every container's securityContext, with their field paths. */
function securityContexts(spec: any): { field: string; sc: any }[] {
  return [
    { field: 'spec.securityContext', sc: spec?.securityContext },
    ...containers(spec).map((c) => ({ field: `${c.field}.securityContext`, sc: c.container.securityContext })),
  ];
}

export const CHECKS: readonly CheckDefinition[] = [
  // ---- baseline ----
  {
    id: 'hostProcess',
    level: 'baseline',
    run: ({ spec }) =>
      securityContexts(spec)
        .filter(({ sc }) => sc?.windowsOptions?.hostProcess === true)
        .map(({ field }) => ({ field: `${field}.windowsOptions.hostProcess`, detail: 'hostProcess=true' })),
  },
  {
    id: 'hostNamespaces',
    level: 'baseline',
    run: ({ spec }) =>
      (['hostNetwork', 'hostPID', 'hostIPC'] as const)
        .filter((k) => spec?.[k] === true)
        .map((k) => ({ field: `spec.${k}`, detail: `${k}=true` })),
  },
  {
    id: 'privileged',
    level: 'baseline',
    run: ({ spec }) =>
      containers(spec)
        .filter((c) => c.container.securityContext?.privileged === true)
        .map((c) => ({ field: `${c.field}.securityContext.privileged`, detail: 'privileged=true' })),
  },
  {
    id: 'capabilities_baseline',
    level: 'baseline',
    run: ({ spec }) =>
      containers(spec).flatMap((c) =>
        (c.container.securityContext?.capabilities?.add ?? [])
          .filter((cap: string) => !BASELINE_CAPABILITIES.includes(cap))
          .map((cap: string) => ({ field: `${c.field}.securityContext.capabilities.add`, detail: `adds ${cap}` })),
      ),
  },
  {
    id: 'hostPathVolumes',
    level: 'baseline',
    run: ({ spec }) =>
      (spec?.volumes ?? [])
        .filter((v: any) => v.hostPath !== undefined && v.hostPath !== null)
        .map((v: any) => ({ field: `spec.volumes[${v.name}].hostPath`, detail: `hostPath ${v.hostPath?.path}` })),
  },
  {
    id: 'hostPorts',
    level: 'baseline',
    run: ({ spec }) =>
      containers(spec).flatMap((c) =>
        (c.container.ports ?? [])
          .filter((p: any) => p.hostPort !== undefined && p.hostPort !== null && p.hostPort !== 0)
          .map((p: any) => ({ field: `${c.field}.ports[${p.name ?? p.containerPort}].hostPort`, detail: `hostPort ${p.hostPort}` })),
      ),
  },
  {
    id: 'appArmorProfile',
    level: 'baseline',
    run: ({ spec, metadata }) => {
      const bad: { field: string; detail: string }[] = [];
      for (const { field, sc } of securityContexts(spec)) {
        const type = sc?.appArmorProfile?.type;
        if (type !== undefined && type !== null && type !== 'RuntimeDefault' && type !== 'Localhost') {
          bad.push({ field: `${field}.appArmorProfile.type`, detail: `appArmorProfile ${type}` });
        }
      }
      for (const [key, value] of Object.entries(metadata?.annotations ?? {})) {
        if (!key.startsWith('container.apparmor.security.beta.kubernetes.io/')) continue;
        if (value !== '' && value !== 'runtime/default' && !value.startsWith('localhost/')) {
          bad.push({ field: `metadata.annotations[${key}]`, detail: `AppArmor ${value}` });
        }
      }
      return bad;
    },
  },
  {
    id: 'seLinuxOptions',
    level: 'baseline',
    run: ({ spec }) =>
      securityContexts(spec).flatMap(({ field, sc }) => {
        const o = sc?.seLinuxOptions;
        if (!o) return [];
        const bad: { field: string; detail: string }[] = [];
        if (o.type !== undefined && !SELINUX_TYPES.includes(o.type)) bad.push({ field: `${field}.seLinuxOptions.type`, detail: `type ${o.type}` });
        if (o.user) bad.push({ field: `${field}.seLinuxOptions.user`, detail: `user ${o.user}` });
        if (o.role) bad.push({ field: `${field}.seLinuxOptions.role`, detail: `role ${o.role}` });
        return bad;
      }),
  },
  {
    id: 'procMount',
    level: 'baseline',
    run: ({ spec }) =>
      containers(spec)
        .filter((c) => {
          const m = c.container.securityContext?.procMount;
          return m !== undefined && m !== null && m !== 'Default';
        })
        .map((c) => ({ field: `${c.field}.securityContext.procMount`, detail: `procMount ${c.container.securityContext.procMount}` })),
  },
  {
    id: 'seccompProfile_baseline',
    level: 'baseline',
    run: ({ spec }) =>
      securityContexts(spec)
        .filter(({ sc }) => sc?.seccompProfile?.type === 'Unconfined')
        .map(({ field }) => ({ field: `${field}.seccompProfile.type`, detail: 'Unconfined' })),
  },
  {
    id: 'sysctls',
    level: 'baseline',
    run: ({ spec }) =>
      (spec?.securityContext?.sysctls ?? [])
        .filter((s: any) => !SAFE_SYSCTLS.includes(s.name))
        .map((s: any) => ({ field: `spec.securityContext.sysctls[${s.name}]`, detail: `unsafe sysctl ${s.name}` })),
  },
  // ---- restricted ----
  {
    id: 'restrictedVolumes',
    level: 'restricted',
    run: ({ spec }) =>
      (spec?.volumes ?? []).flatMap((v: any) => {
        const sources = Object.keys(v).filter((k) => k !== 'name' && v[k] !== undefined && v[k] !== null);
        return sources
          .filter((s) => !RESTRICTED_VOLUME_TYPES.includes(s))
          .map((s) => ({ field: `spec.volumes[${v.name}].${s}`, detail: `volume type ${s}` }));
      }),
  },
  {
    id: 'allowPrivilegeEscalation',
    level: 'restricted',
    run: ({ spec }) =>
      isWindows(spec)
        ? []
        : containers(spec)
            .filter((c) => c.container.securityContext?.allowPrivilegeEscalation !== false)
            .map((c) => ({ field: `${c.field}.securityContext.allowPrivilegeEscalation`, detail: 'must be false' })),
  },
  {
    id: 'runAsNonRoot',
    level: 'restricted',
    run: ({ spec }) => {
      const podLevel = spec?.securityContext?.runAsNonRoot;
      const bad: { field: string; detail: string }[] = [];
      if (podLevel === false) bad.push({ field: 'spec.securityContext.runAsNonRoot', detail: 'runAsNonRoot=false' });
      for (const c of containers(spec)) {
        const v = c.container.securityContext?.runAsNonRoot;
        if (v === false) bad.push({ field: `${c.field}.securityContext.runAsNonRoot`, detail: 'runAsNonRoot=false' });
        else if (v !== true && podLevel !== true) {
          bad.push({ field: `${c.field}.securityContext.runAsNonRoot`, detail: 'must be true (here or in spec.securityContext)' });
        }
      }
      return bad;
    },
  },
  {
    id: 'runAsUser',
    level: 'restricted',
    run: ({ spec }) =>
      securityContexts(spec)
        .filter(({ sc }) => sc?.runAsUser === 0)
        .map(({ field }) => ({ field: `${field}.runAsUser`, detail: 'runAsUser=0' })),
  },
  {
    id: 'seccompProfile_restricted',
    level: 'restricted',
    run: ({ spec }) => {
      if (isWindows(spec)) return [];
      const valid = (t: unknown) => t === 'RuntimeDefault' || t === 'Localhost';
      const podType = spec?.securityContext?.seccompProfile?.type;
      const bad: { field: string; detail: string }[] = [];
      if (podType !== undefined && !valid(podType)) bad.push({ field: 'spec.securityContext.seccompProfile.type', detail: `seccomp ${podType}` });
      for (const c of containers(spec)) {
        const t = c.container.securityContext?.seccompProfile?.type;
        if (t !== undefined && !valid(t)) bad.push({ field: `${c.field}.securityContext.seccompProfile.type`, detail: `seccomp ${t}` });
        else if (t === undefined && !valid(podType)) {
          bad.push({ field: `${c.field}.securityContext.seccompProfile.type`, detail: 'must be RuntimeDefault or Localhost (here or in spec.securityContext)' });
        }
      }
      return bad;
    },
  },
  {
    id: 'capabilities_restricted',
    level: 'restricted',
    run: ({ spec }) => {
      if (isWindows(spec)) return [];
      return containers(spec).flatMap((c) => {
        const caps = c.container.securityContext?.capabilities;
        const bad: { field: string; detail: string }[] = [];
        if (!(caps?.drop ?? []).includes('ALL')) bad.push({ field: `${c.field}.securityContext.capabilities.drop`, detail: 'must drop ALL' });
        for (const cap of caps?.add ?? []) {
          if (cap !== 'NET_BIND_SERVICE') bad.push({ field: `${c.field}.securityContext.capabilities.add`, detail: `adds ${cap}` });
        }
        return bad;
      });
    },
  },
];

/** The violations of `level` (restricted includes baseline). */
export function checkPod(pod: PodLike, level: Level = 'restricted'): Violation[] {
  return CHECKS.filter((c) => level === 'restricted' || c.level === 'baseline').flatMap((c) =>
    c.run(pod).map((v) => ({ check: c.id, level: c.level, ...v })),
  );
}
