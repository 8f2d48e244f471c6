/**
 * Pinned versions of everything the local cluster is built from. One home: the build, the CRD loader,
 * the go.mod generator and the README read them from here. Each Go module is fetched with the ordinary
 * Go toolchain from the Go module proxy.
 */

/** k8s.io/kubernetes, and the published version of each k8s.io/<staging> module it is built with. */
export const KUBERNETES = { module: 'k8s.io/kubernetes', version: 'v1.35.4', staging: 'v0.35.4' } as const;
export const ETCD = { module: 'go.etcd.io/etcd/server/v3', version: 'v3.6.16' } as const;
export const KWOK = { module: 'sigs.k8s.io/kwok', version: 'v0.8.0' } as const;
export const KUBECONFORM = { module: 'github.com/yannh/kubeconform', version: 'v0.8.0' } as const;
/**
 * cert-manager: its CRDs (CRD_SOURCES) and its controller (scripts/cluster/go/cert-manager-controller, whose go.mod
 * requires this version: a test checks they agree).
 */
export const CERT_MANAGER = { module: 'github.com/cert-manager/cert-manager', version: 'v1.21.2' } as const;

/** The real node's runtime (test/node): containerd 2.x (Debian's 1.6 is too old for kubelet 1.35) and a runc for it. */
export const CONTAINERD = { module: 'github.com/containerd/containerd/v2', version: 'v2.4.2' } as const;
export const RUNC = { module: 'github.com/opencontainers/runc', version: 'v1.5.3' } as const;
/** Cluster DNS; v1.15.0 builds with Go 1.26. */
export const COREDNS = { module: 'github.com/coredns/coredns', version: 'v1.15.0' } as const;
/**
 * The real node's NetworkPolicy implementation: kube-router's firewall alone (iptables + ipset). Not
 * kube-network-policies: it queues new connections with nftables' native `queue`, which this kernel lacks
 * (CONFIG_NFT_QUEUE is not set). v2.1.0 is the only version the module proxy serves; the advisories against
 * it concern the service proxy and BGP router, which the node never starts.
 */
export const KUBE_ROUTER = { module: 'github.com/cloudnativelabs/kube-router/v2', version: 'v2.1.0' } as const;

/** The binaries of the one k8s.io/kubernetes build (kubelet and kube-proxy are for the real node). */
export const KUBERNETES_COMMANDS = [
  'kube-apiserver',
  'kube-controller-manager',
  'kube-scheduler',
  'kubectl',
  'kubelet',
  'kube-proxy',
] as const;

/**
 * Operators whose custom resources our outputs contain. The CRDs come from each project's own Go
 * module at this version, read from the Go module cache from `dir` inside the module. `crds` are the ones
 * installed: the kinds the chart can render, not every CRD of the operator (a ClusterIssuer or a SecretStore
 * is only named by reference), since each CRD costs the API server seconds at start.
 */
export const CRD_SOURCES = [
  {
    name: 'cert-manager',
    module: CERT_MANAGER.module,
    version: CERT_MANAGER.version,
    dir: 'deploy/crds',
    crds: ['certificates.cert-manager.io', 'issuers.cert-manager.io'],
  },
  {
    name: 'prometheus-operator',
    module: 'github.com/prometheus-operator/prometheus-operator',
    version: 'v0.85.0',
    dir: 'example/prometheus-operator-crd',
    crds: ['podmonitors.monitoring.coreos.com', 'servicemonitors.monitoring.coreos.com', 'prometheusrules.monitoring.coreos.com'],
  },
  {
    name: 'argo-cd',
    module: 'github.com/argoproj/argo-cd/v3',
    version: 'v3.5.7', // v3.6.x needs Go 1.27
    dir: 'manifests/crds',
    crds: ['applications.argoproj.io', 'applicationsets.argoproj.io', 'appprojects.argoproj.io'],
  },
  {
    name: 'external-secrets',
    module: 'github.com/external-secrets/external-secrets',
    version: 'v1.3.2',
    dir: 'config/crds/bases',
    crds: ['externalsecrets.external-secrets.io'],
  },
] as const;
