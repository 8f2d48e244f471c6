/**
 * A small evaluator of Kubernetes NetworkPolicy (networking.k8s.io/v1) semantics, to check
 * flows against synthesized policies without a cluster:
 * - a pod is isolated for ingress (egress) when any policy of its namespace selects it with
 *   that policy type; a non-isolated direction allows everything;
 * - policyTypes defaults to Ingress, plus Egress when the policy has an egress section;
 * - an isolated direction allows a connection when at least one rule of one selecting
 *   policy allows it (policies are a union);
 * - a connection between two pods needs egress at the source AND ingress at the destination;
 * - peers: podSelector (policy's namespace), namespaceSelector (any pod there), both
 *   (those pods in those namespaces), ipBlock (cidr minus except); a rule without from/to
 *   matches every peer, without ports every port;
 * - ports: protocol (default TCP), number with optional endPort, or a name resolved
 *   against the destination pod's container ports.
 */

export interface LabelSelector {
  matchLabels?: Record<string, string>;
  matchExpressions?: { key: string; operator: 'In' | 'NotIn' | 'Exists' | 'DoesNotExist'; values?: string[] }[];
}

export interface NetworkPolicyPeer {
  podSelector?: LabelSelector;
  namespaceSelector?: LabelSelector;
  ipBlock?: { cidr: string; except?: string[] };
}

export interface NetworkPolicyPort {
  protocol?: 'TCP' | 'UDP' | 'SCTP';
  port?: number | string;
  endPort?: number;
}

export interface NetworkPolicy {
  metadata: { name: string; namespace?: string };
  spec: {
    podSelector: LabelSelector;
    policyTypes?: ('Ingress' | 'Egress')[];
    ingress?: { from?: NetworkPolicyPeer[]; ports?: NetworkPolicyPort[] }[];
    egress?: { to?: NetworkPolicyPeer[]; ports?: NetworkPolicyPort[] }[];
  };
}

export interface ContainerPort {
  name?: string;
  containerPort: number;
  protocol?: 'TCP' | 'UDP' | 'SCTP';
}

export interface Pod {
  namespace: string;
  labels: Record<string, string>;
  /** Container ports, for named ports in policies. */
  ports?: ContainerPort[];
  ip?: string;
}

/** A pod, or an address outside the cluster (the internet, a node). */
export type Endpoint = { pod: Pod } | { ip: string };

export interface Connection {
  from: Endpoint;
  to: Endpoint;
  port: number;
  protocol?: 'TCP' | 'UDP' | 'SCTP';
}

export interface Verdict {
  allowed: boolean;
  egress: SideVerdict;
  ingress: SideVerdict;
}

export interface SideVerdict {
  allowed: boolean;
  /** not-a-pod, not-isolated, or the policies that selected the pod. */
  reason: string;
  /** Names of the policies whose rules allowed it. */
  allowedBy: string[];
}

export function matchesSelector(selector: LabelSelector | undefined, labels: Record<string, string>): boolean {
  if (!selector) return true;
  for (const [k, v] of Object.entries(selector.matchLabels ?? {})) {
    if (labels[k] !== v) return false;
  }
  for (const e of selector.matchExpressions ?? []) {
    const has = Object.prototype.hasOwnProperty.call(labels, e.key);
    switch (e.operator) {
      case 'In':
        if (!has || !(e.values ?? []).includes(labels[e.key])) return false;
        break;
      case 'NotIn':
        if (has && (e.values ?? []).includes(labels[e.key])) return false;
        break;
      case 'Exists':
        if (!has) return false;
        break;
      case 'DoesNotExist':
        if (has) return false;
        break;
      default:
        throw new Error(`unknown selector operator ${(e as any).operator}`);
    }
  }
  return true;
}

function ipToNumber(ip: string): number {
  const parts = ip.split('.').map(Number);
  if (parts.length !== 4 || parts.some((p) => !Number.isInteger(p) || p < 0 || p > 255)) throw new Error(`not an IPv4 address: ${ip}`);
  return ((parts[0] << 24) | (parts[1] << 16) | (parts[2] << 8) | parts[3]) >>> 0;
}

export function inCidr(ip: string, cidr: string): boolean {
  const [base, bitsText] = cidr.split('/');
  const bits = Number(bitsText ?? 32);
  const mask = bits === 0 ? 0 : (0xffffffff << (32 - bits)) >>> 0;
  return ((ipToNumber(ip) & mask) >>> 0) === ((ipToNumber(base) & mask) >>> 0);
}

export class Cluster {
  /** Namespace name → labels; every namespace has kubernetes.io/metadata.name. */
  private readonly namespaces = new Map<string, Record<string, string>>();

  constructor(
    readonly policies: readonly NetworkPolicy[],
    namespaces: Record<string, Record<string, string>> = {},
  ) {
    for (const [name, labels] of Object.entries(namespaces)) this.addNamespace(name, labels);
  }

  addNamespace(name: string, labels: Record<string, string> = {}): void {
    this.namespaces.set(name, { ...labels, 'kubernetes.io/metadata.name': name });
  }

  namespaceLabels(name: string): Record<string, string> {
    return this.namespaces.get(name) ?? { 'kubernetes.io/metadata.name': name };
  }

  /** Policies of the pod's namespace that select it for a direction. */
  selecting(pod: Pod, type: 'Ingress' | 'Egress'): NetworkPolicy[] {
    return this.policies.filter(
      (p) => (p.metadata.namespace ?? 'default') === pod.namespace && policyTypes(p).includes(type) && matchesSelector(p.spec.podSelector, pod.labels),
    );
  }

  evaluate(c: Connection): Verdict {
    const protocol = c.protocol ?? 'TCP';
    const egress = this.side(c.from, 'Egress', (p) =>
      (p.spec.egress ?? []).some((rule) => this.peersMatch(rule.to, c.to, p) && portsMatch(rule.ports, c.port, protocol, c.to)),
    );
    const ingress = this.side(c.to, 'Ingress', (p) =>
      (p.spec.ingress ?? []).some((rule) => this.peersMatch(rule.from, c.from, p) && portsMatch(rule.ports, c.port, protocol, c.to)),
    );
    return { allowed: egress.allowed && ingress.allowed, egress, ingress };
  }

  allows(c: Connection): boolean {
    return this.evaluate(c).allowed;
  }

  private side(endpoint: Endpoint, type: 'Ingress' | 'Egress', allowsIt: (p: NetworkPolicy) => boolean): SideVerdict {
    if (!('pod' in endpoint)) return { allowed: true, reason: 'not-a-pod', allowedBy: [] };
    const selecting = this.selecting(endpoint.pod, type);
    if (selecting.length === 0) return { allowed: true, reason: 'not-isolated', allowedBy: [] };
    const allowedBy = selecting.filter(allowsIt).map((p) => p.metadata.name);
    return { allowed: allowedBy.length > 0, reason: `isolated by ${selecting.map((p) => p.metadata.name).join(', ')}`, allowedBy };
  }

  private peersMatch(peers: NetworkPolicyPeer[] | undefined, other: Endpoint, policy: NetworkPolicy): boolean {
    if (!peers || peers.length === 0) return true;
    return peers.some((peer) => this.peerMatches(peer, other, policy.metadata.namespace ?? 'default'));
  }

  private peerMatches(peer: NetworkPolicyPeer, other: Endpoint, policyNamespace: string): boolean {
    if (peer.ipBlock) {
      const ip = 'pod' in other ? other.pod.ip : other.ip;
      if (!ip) return false;
      return inCidr(ip, peer.ipBlock.cidr) && !(peer.ipBlock.except ?? []).some((e) => inCidr(ip, e));
    }
    if (!('pod' in other)) return false;
    const pod = other.pod;
    if (peer.namespaceSelector === undefined && peer.podSelector === undefined) {
      throw new Error('a NetworkPolicyPeer needs podSelector, namespaceSelector or ipBlock');
    }
    const namespaceOk = peer.namespaceSelector !== undefined
      ? matchesSelector(peer.namespaceSelector, this.namespaceLabels(pod.namespace))
      : pod.namespace === policyNamespace;
    return namespaceOk && matchesSelector(peer.podSelector ?? {}, pod.labels);
  }
}

export function policyTypes(p: NetworkPolicy): ('Ingress' | 'Egress')[] {
  if (p.spec.policyTypes && p.spec.policyTypes.length > 0) return p.spec.policyTypes;
  return p.spec.egress !== undefined ? ['Ingress', 'Egress'] : ['Ingress'];
}

function portsMatch(ports: NetworkPolicyPort[] | undefined, port: number, protocol: string, destination: Endpoint): boolean {
  if (!ports || ports.length === 0) return true;
  return ports.some((p) => {
    if ((p.protocol ?? 'TCP') !== protocol) return false;
    if (p.port === undefined) return true;
    if (typeof p.port === 'number') return p.endPort !== undefined ? port >= p.port && port <= p.endPort : port === p.port;
    // A named port: the destination pod must expose that name on this number and protocol.
    if (!('pod' in destination)) return false;
    return (destination.pod.ports ?? []).some(
      (cp) => cp.name === p.port && cp.containerPort === port && (cp.protocol ?? 'TCP') === protocol,
    );
  });
}
