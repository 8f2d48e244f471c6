/**
 * Where the local cluster listens and which ranges it hands out: one home, so the real-node setup
 * (kubelet, kube-proxy, CNI) reuses the same addresses. Everything listens on loopback only; the
 * pod and service ranges are only values in object status here (kwok's pods send no traffic).
 */
export const LOOPBACK = '127.0.0.1';

/** Non-default ports, so a developer's own etcd or cluster on the defaults never collides. */
export const PORTS = {
  etcdClient: 23790,
  etcdPeer: 23800,
  apiserver: 26443,
  controllerManager: 20257,
  scheduler: 20259,
} as const;

export const APISERVER_URL = `https://${LOOPBACK}:${PORTS.apiserver}`;
export const ETCD_URL = `http://${LOOPBACK}:${PORTS.etcdClient}`;

export const CLUSTER_DOMAIN = 'cluster.local';
export const SERVICE_CIDR = '10.96.0.0/16';
/** The first address of SERVICE_CIDR: the `kubernetes` Service, named in the API server's certificate. */
export const KUBERNETES_SERVICE_IP = '10.96.0.1';
export const POD_CIDR = '10.244.0.0/16';

/**
 * The real node (scripts/node): containerd, the kubelet and its pods live in a network namespace of their
 * own, so the pod bridge, pod addresses and Service rules never touch this machine's network. The node's
 * address exists only inside it; the API server is reached through a bridge (127.0.0.1 inside → a unix
 * socket → 127.0.0.1 outside).
 */
export const NODE_NETNS = 'session-database-node';
export const NODE_NAME = 'real-node';
export const NODE_IP = '10.250.0.1';
/** The node's pod range (inside POD_CIDR, above anything kwok hands out to fake pods). */
export const NODE_POD_SUBNET = '10.244.200.0/24';
export const NODE_POD_GATEWAY = '10.244.200.1';
/** The cluster DNS Service address (the kube-dns Service of CoreDNS). */
export const CLUSTER_DNS_IP = '10.96.0.10';
export const KUBELET_PORT = 10250;
