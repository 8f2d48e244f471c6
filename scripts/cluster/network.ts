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
