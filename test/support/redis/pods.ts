/**
 * A pod of a synthesized StatefulSet, simulated on this machine: a directory laid out like the pod's
 * volume mounts (ConfigMap volumes hold the ConfigMap's data, Secret volumes the data the caller supplies,
 * emptyDirs and claims are empty dirs that survive restarts like a container restart) and the container's
 * own env list. Only what the cluster provides is replaced by fixture values:
 *   - downward API fields (metadata.name, status.podIP),
 *   - mount paths (an env value or argument under a mountPath points into the pod dir),
 *   - DNS names (ANNOUNCE_HOST and the *_HOST_PATTERN vars become loopback addresses).
 * Each pod has its own loopback address 127.0.<octet>.<n>: Redis pod i is .1i, Sentinel pod i is .2i.
 */
import { ChildProcess } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { K8sObject, configMapData } from '../manifests';

/** The StatefulSets' pods, the master endpoint's, and a client pod (the helm test Pod of ./health-check.ts). */
export type PodKind = 'redis' | 'sentinel' | 'haproxy' | 'client';

export interface Pod {
  readonly kind: PodKind;
  readonly ordinal: number;
  readonly name: string;
  readonly ip: string;
  readonly port: number;
  /** The pod's directory; one sub directory per volume. */
  readonly root: string;
  /** volume name → directory */
  readonly volumes: Record<string, string>;
  /** mountPath → directory */
  readonly mounts: Record<string, string>;
  readonly env: Record<string, string>;
  readonly container: any;
  readonly terminationGraceSeconds: number;
  readonly logFile: string;
  proc?: ChildProcess;
  exited?: Promise<number | null>;
}

/** Loopback address of pod `ordinal` of a kind (`'%d'` gives the host pattern the scripts expand). */
export function podAddress(octet: number, kind: PodKind, ordinal: number | '%d'): string {
  return `127.0.${octet}.${{ redis: 1, sentinel: 2, haproxy: 3, client: 4 }[kind]}${ordinal}`;
}

/** Where the simulated pods live and what their Secret volumes hold. */
export interface PodSite {
  readonly objects: readonly K8sObject[];
  /** Each pod gets a directory of its own under this one. */
  readonly root: string;
  /** Third octet of the loopback addresses. */
  readonly octet: number;
  /** Contents of a Secret volume by secret name. */
  secretData(secretName: string): Record<string, string>;
  /**
   * The pod resolves cluster DNS names itself (through its own /etc/hosts and resolv.conf, see
   * master-endpoint.ts), so its env keeps them instead of loopback fixtures.
   */
  readonly resolvesNames?: boolean;
}

/** Expand Kubernetes $(VAR) references against earlier env entries. */
export function expandK8s(value: string, env: Record<string, string>): string {
  return value.replace(/\$\(([A-Za-z_][A-Za-z0-9_]*)\)/g, (m, name) => (name in env ? env[name] : m));
}

/** A path (or command argument) under one of the mount paths, pointing into the local directory instead. */
function localPath(mounts: Record<string, string>, value: string): string {
  for (const [mp, dir] of Object.entries(mounts).sort((a, b) => b[0].length - a[0].length)) {
    if (value === mp || value.startsWith(`${mp}/`)) return dir + value.slice(mp.length);
  }
  return value;
}

/** A command of the manifest (container command, probe, preStop) with mount paths pointing into the pod dir. */
export function localCommand(pod: Pod, command: string[]): string[] {
  return command.map((arg) => localPath(pod.mounts, arg));
}

/**
 * DNS names the cluster gives pod `ordinal` of a StatefulSet: its ANNOUNCE_HOST and the
 * *_HOST_PATTERN names (read from the manifest before fixture substitution).
 */
export function dnsNamesOf(sts: K8sObject, ordinal: number): string[] {
  const env: Record<string, string> = { POD_NAME: `${sts.metadata.name}-${ordinal}` };
  const names: string[] = [];
  const container = sts.spec.template.spec.containers[0];
  for (const e of container.env ?? []) {
    if (typeof e.value !== 'string') continue;
    if (e.name === 'ANNOUNCE_HOST') names.push(expandK8s(e.value, env));
    const own = (sts.metadata.name as string).endsWith('-sentinel') ? 'SENTINEL_HOST_PATTERN' : 'REDIS_HOST_PATTERN';
    if (e.name === own) names.push(e.value.replace('%d', String(ordinal)));
  }
  return names.filter((h) => !h.includes('$('));
}

/** Lay out pod `ordinal` of a StatefulSet on disk and resolve its container env. */
export function makePod(kind: PodKind, sts: K8sObject, ordinal: number, site: PodSite): Pod {
  const spec = sts.spec.template.spec;
  const container = spec.containers[0];
  const name = `${sts.metadata.name}-${ordinal}`;
  const ip = podAddress(site.octet, kind, ordinal);
  const port = Number((container.ports ?? [])[0]?.containerPort);
  const root = path.join(site.root, name);
  const volumes: Record<string, string> = {};
  const mounts: Record<string, string> = {};
  const volumeSpecs: any[] = [...(spec.volumes ?? []), ...(sts.spec.volumeClaimTemplates ?? []).map((c: any) => ({ name: c.metadata.name, claim: true }))];
  for (const mount of container.volumeMounts ?? []) {
    const vol = volumeSpecs.find((v) => v.name === mount.name);
    if (!vol) throw new Error(`${name}: volumeMount ${mount.name} has no volume`);
    const dir = path.join(root, mount.name);
    fs.mkdirSync(dir, { recursive: true });
    if (vol.configMap) {
      const data = configMapData(site.objects, vol.configMap.name);
      for (const [k, v] of Object.entries(data)) fs.writeFileSync(path.join(dir, k), v, { mode: vol.configMap.defaultMode ?? 0o644 });
    } else if (vol.secret) {
      const data = site.secretData(vol.secret.secretName);
      const items: { key: string; path: string }[] = vol.secret.items ?? Object.keys(data).map((k) => ({ key: k, path: k }));
      for (const { key, path: file } of items) fs.writeFileSync(path.join(dir, file), data[key], { mode: 0o400 });
    } else if (!vol.emptyDir && !vol.claim && !vol.persistentVolumeClaim) {
      throw new Error(`${name}: volume ${vol.name} has a type the harness does not emulate`);
    }
    volumes[mount.name] = dir;
    mounts[mount.mountPath] = dir;
  }
  const env: Record<string, string> = {};
  // envFrom a ConfigMap (the client contract): its keys first, the env list below wins as in Kubernetes.
  for (const source of container.envFrom ?? []) {
    if (!source.configMapRef || source.prefix) throw new Error(`${name}: envFrom ${JSON.stringify(source)} is not emulated (only configMapRef without prefix)`);
    for (const [k, v] of Object.entries(configMapData(site.objects, source.configMapRef.name))) {
      if (/\.svc\b/.test(v) && !site.resolvesNames) throw new Error(`${name}: envFrom ${k}=${v} needs cluster DNS; run the pod with resolvesNames`);
      env[k] = v;
    }
  }
  // Fixture values for what the cluster's DNS provides.
  const dnsFixtures: Record<string, string> = {
    ANNOUNCE_HOST: ip,
    REDIS_HOST_PATTERN: podAddress(site.octet, 'redis', '%d'),
    SENTINEL_HOST_PATTERN: podAddress(site.octet, 'sentinel', '%d'),
  };
  for (const e of container.env ?? []) {
    let value: string;
    if (e.valueFrom?.fieldRef) {
      const field = e.valueFrom.fieldRef.fieldPath;
      if (field === 'metadata.name') value = name;
      else if (field === 'status.podIP') value = ip;
      else throw new Error(`${name}: env ${e.name} uses fieldRef ${field}, which the harness does not emulate`);
    } else if (e.valueFrom?.secretKeyRef) {
      const { name: secret, key } = e.valueFrom.secretKeyRef;
      const data = site.secretData(secret);
      if (!(key in data)) throw new Error(`${name}: env ${e.name} reads key ${key} of Secret ${secret}, which the fixture Secret does not hold`);
      value = data[key];
    } else if (e.valueFrom) {
      throw new Error(`${name}: env ${e.name} uses ${Object.keys(e.valueFrom)} which the harness does not emulate`);
    } else if (e.name in dnsFixtures && !site.resolvesNames) {
      value = dnsFixtures[e.name];
    } else {
      value = localPath(mounts, expandK8s(String(e.value ?? ''), env));
    }
    if (/\.svc\b/.test(value) && !site.resolvesNames) throw new Error(`${name}: env ${e.name}=${value} needs cluster DNS; give the harness a loopback fixture for it`);
    env[e.name] = value;
  }
  return {
    kind,
    ordinal,
    name,
    ip,
    port,
    root,
    volumes,
    mounts,
    env,
    container,
    terminationGraceSeconds: spec.terminationGracePeriodSeconds ?? 30,
    logFile: path.join(root, 'container.log'),
  };
}
