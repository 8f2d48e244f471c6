/**
 * The master endpoint (HAProxy Deployment of the SYNTHESIZED manifests) beside a running RedisCluster:
 * each pod runs the Deployment's own command (start.sh from its ConfigMap, the real `haproxy`) with the
 * Deployment's env, on its loopback address.
 *
 * Unlike the Redis pods, the HAProxy pods keep the cluster DNS names of the Redis nodes (they verify
 * TLS by those names). As the kubelet gives a pod its own /etc/hosts and resolv.conf, each HAProxy pod
 * runs in a mount namespace of its own (`unshare --mount`) where /etc/hosts maps the pod names to
 * their loopback addresses and resolv.conf names a small DNS server of the test (the one HAProxy's
 * `resolvers` section asks at run time), which answers from the same map. Nothing leaves loopback.
 */
import * as dgram from 'dgram';
import * as fs from 'fs';
import * as path from 'path';
import { findObject } from '../manifests';
import { RedisCluster } from './cluster';
import { Pod, makePod, podAddress } from './pods';
import { startInGroup } from './processes';

/** A DNS server on 127.0.<octet>.53:53 that answers A queries from a name → address map. */
export class LoopbackDns {
  private readonly socket = dgram.createSocket('udp4');
  readonly queries: string[] = [];
  constructor(readonly address: string, private readonly hosts: Map<string, string>) {}

  async start(): Promise<void> {
    this.socket.on('message', (msg, rinfo) => {
      const reply = this.answer(msg);
      if (reply) this.socket.send(reply, rinfo.port, rinfo.address);
    });
    await new Promise<void>((resolve, reject) => {
      this.socket.once('error', reject);
      this.socket.bind(53, this.address, () => resolve());
    });
  }

  private answer(msg: Buffer): Buffer | undefined {
    if (msg.length < 12) return undefined;
    const labels: string[] = [];
    let i = 12;
    while (i < msg.length && msg[i] !== 0) {
      labels.push(msg.subarray(i + 1, i + 1 + msg[i]).toString('ascii'));
      i += msg[i] + 1;
    }
    const question = msg.subarray(12, i + 5);
    const qtype = msg.readUInt16BE(i + 1);
    const name = labels.join('.').toLowerCase();
    this.queries.push(name);
    const ip = this.hosts.get(name);
    const header = Buffer.alloc(12);
    msg.copy(header, 0, 0, 2);
    // QR, RD copied, RA; NXDOMAIN for a name it does not know.
    header.writeUInt16BE(0x8180 | (msg.readUInt16BE(2) & 0x0100) | (ip ? 0 : 3), 2);
    header.writeUInt16BE(1, 4);
    const answers: Buffer[] = [];
    if (ip && qtype === 1) {
      const rr = Buffer.alloc(16);
      rr.writeUInt16BE(0xc00c, 0);
      rr.writeUInt16BE(1, 2);
      rr.writeUInt16BE(1, 4);
      rr.writeUInt32BE(5, 6);
      rr.writeUInt16BE(4, 10);
      ip.split('.').forEach((o, k) => rr.writeUInt8(Number(o), 12 + k));
      answers.push(rr);
    }
    header.writeUInt16BE(answers.length, 6);
    return Buffer.concat([header, question, ...answers]);
  }

  close(): void {
    this.socket.close();
  }
}

export interface MasterEndpoint {
  readonly pods: Pod[];
  /** Host name of the <fullname>-master Service (what REDIS_URL names). */
  readonly host: string;
  readonly dns: LoopbackDns;
  stop(): void;
}

/**
 * Start the HAProxy pods of the manifests (spec.replicas of the Deployment unless `replicas`) next to
 * a cluster. The Service host maps to pod 0 (in the certificate's SANs too).
 */
export async function startMasterEndpoint(cluster: RedisCluster, opts: { replicas?: number } = {}): Promise<MasterEndpoint> {
  const deployment = findObject(cluster.objects, 'Deployment', `${cluster.fullname}-haproxy`);
  const service = findObject(cluster.objects, 'Service', `${cluster.fullname}-master`);
  const namespace = service.metadata.namespace ?? 'default';
  const domain = /\.svc\.([^"\s]+)$/.exec(deployment.spec.template.spec.containers[0].env.find((e: any) => e.name === 'REDIS_HOST_PATTERN').value)![1];
  const host = `${service.metadata.name}.${namespace}.svc.${domain}`;
  cluster.hosts.set(host, podAddress(cluster.octet, 'haproxy', 0));
  const dir = path.join(cluster.root, 'pod-network');
  fs.mkdirSync(dir, { recursive: true });
  const hostsFile = path.join(dir, 'hosts');
  const resolvFile = path.join(dir, 'resolv.conf');
  const dnsAddress = `127.0.${cluster.octet}.53`;
  fs.writeFileSync(hostsFile, ['127.0.0.1 localhost', ...[...cluster.hosts].map(([name, ip]) => `${ip} ${name}`)].join('\n') + '\n');
  fs.writeFileSync(resolvFile, `nameserver ${dnsAddress}\noptions timeout:1 attempts:1\n`);
  const dns = new LoopbackDns(dnsAddress, cluster.hosts);
  await dns.start();
  const count = opts.replicas ?? deployment.spec.replicas ?? 1;
  const pods: Pod[] = [];
  for (let i = 0; i < count; i++) {
    const pod = makePod('haproxy', deployment, i, {
      objects: cluster.objects,
      root: cluster.root,
      octet: cluster.octet,
      secretData: (name) => cluster.secretData(name),
      resolvesNames: true,
    });
    (pod as { name: string }).name = `${deployment.metadata.name}-${i}`;
    const command = cluster.localCommand(pod, [...(pod.container.command ?? []), ...(pod.container.args ?? [])]);
    const sandbox = ['unshare', '--mount', '--propagation', 'private', 'sh', '-c', 'mount --bind "$1" /etc/hosts && mount --bind "$2" /etc/resolv.conf && shift 2 && exec "$@"', 'pod-network', hostsFile, resolvFile];
    const { proc, exited } = startInGroup([...sandbox, ...command], { env: cluster.processEnv(pod), cwd: pod.root, logFile: pod.logFile, maxLifetimeSeconds: 300 });
    pod.proc = proc;
    pod.exited = exited;
    cluster.extras.push(pod);
    pods.push(pod);
  }
  return { pods, host, dns, stop: () => dns.close() };
}
