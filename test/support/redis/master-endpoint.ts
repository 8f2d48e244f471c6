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
import Redis from 'ioredis';
import { RedisCluster } from './cluster';
import { AckedWriter } from './drills';
import { Pod, makePod, podAddress } from './pods';
import { startInGroup, waitFor } from './processes';
import * as http from 'http';

function httpStatus(url: string): Promise<number> {
  return new Promise((resolve) => {
    http.get(url, { timeout: 1000 }, (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    }).on('error', () => resolve(0));
  });
}

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

/**
 * What the kubelet gives a pod for name resolution, for processes of the test: /etc/hosts with the
 * cluster's names (pods, and each client Service standing for its first pod) and a resolv.conf naming
 * the LoopbackDns, bind-mounted in a mount namespace of the process's own.
 */
export class PodNetwork {
  readonly hostsFile: string;
  readonly resolvFile: string;
  readonly dns: LoopbackDns;
  /** `<service>.<namespace>.svc.<domain>` of each client Service. */
  readonly services: Record<string, string> = {};

  constructor(private readonly cluster: RedisCluster) {
    const redisSts = findObject(cluster.objects, 'StatefulSet', `${cluster.fullname}-redis`);
    const pattern = redisSts.spec.template.spec.containers[0].env.find((e: any) => e.name === 'REDIS_HOST_PATTERN').value as string;
    const domain = /\.svc\.([^"\s]+)$/.exec(pattern)![1];
    const first: Record<string, string> = { redis: cluster.redisIp(0), sentinel: cluster.sentinelIp(0), haproxy: podAddress(cluster.octet, 'haproxy', 0) };
    for (const svc of cluster.objects.filter((o) => o.kind === 'Service' && o.spec?.clusterIP !== 'None')) {
      const ip = first[svc.spec.selector?.['app.kubernetes.io/component']];
      if (!ip) continue;
      const host = `${svc.metadata.name}.${svc.metadata.namespace ?? 'default'}.svc.${domain}`;
      this.services[svc.metadata.name] = host;
      cluster.hosts.set(host, ip);
    }
    const dir = path.join(cluster.root, 'pod-network');
    fs.mkdirSync(dir, { recursive: true });
    this.hostsFile = path.join(dir, 'hosts');
    this.resolvFile = path.join(dir, 'resolv.conf');
    const dnsAddress = `127.0.${cluster.octet}.53`;
    fs.writeFileSync(this.resolvFile, `nameserver ${dnsAddress}\noptions timeout:1 attempts:1\n`);
    this.dns = new LoopbackDns(dnsAddress, cluster.hosts);
    this.writeHosts();
  }

  /** Rewrite /etc/hosts from the cluster's host map (after adding names to it). */
  writeHosts(): void {
    fs.writeFileSync(this.hostsFile, ['127.0.0.1 localhost', ...[...this.cluster.hosts].map(([name, ip]) => `${ip} ${name}`)].join('\n') + '\n');
  }

  /** The command run with the pod's /etc/hosts and resolv.conf (needs root for the mount namespace). */
  sandbox(command: string[]): string[] {
    return ['unshare', '--mount', '--propagation', 'private', 'sh', '-c', 'mount --bind "$1" /etc/hosts && mount --bind "$2" /etc/resolv.conf && shift 2 && exec "$@"', 'pod-network', this.hostsFile, this.resolvFile, ...command];
  }

  start(): Promise<void> {
    return this.dns.start();
  }

  stop(): void {
    this.dns.close();
  }
}

export interface MasterEndpoint {
  readonly pods: Pod[];
  /** Host name of the <fullname>-master Service (what REDIS_URL names). */
  readonly host: string;
  readonly network: PodNetwork;
  stop(): void;
}

/**
 * Start the HAProxy pods of the manifests (spec.replicas of the Deployment unless `replicas`) next to
 * a cluster. The Service host maps to pod 0 (in the certificate's SANs too).
 */
export async function startMasterEndpoint(cluster: RedisCluster, opts: { replicas?: number } = {}): Promise<MasterEndpoint> {
  const deployment = findObject(cluster.objects, 'Deployment', `${cluster.fullname}-haproxy`);
  const network = new PodNetwork(cluster);
  await network.start();
  const host = network.services[`${cluster.fullname}-master`];
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
    const { proc, exited } = startInGroup(network.sandbox(command), { env: cluster.processEnv(pod), cwd: pod.root, logFile: pod.logFile, maxLifetimeSeconds: 300 });
    pod.proc = proc;
    pod.exited = exited;
    cluster.extras.push(pod);
    pods.push(pod);
  }
  // As the Service would: a pod takes connections once its readiness probe passes.
  for (const pod of pods) {
    const probe = pod.container.readinessProbe.httpGet;
    const port = pod.container.ports.find((p: { name: string }) => p.name === probe.port).containerPort;
    await waitFor(`${pod.name} to be ready`, () => httpStatus(`http://${pod.ip}:${port}${probe.path}`).then((s) => s === 200), 30000, 100);
  }
  return { pods, host, network, stop: () => network.stop() };
}

export interface EndpointDrillResult {
  /** From the sentinels naming the new master to the first write acknowledged through the endpoint. */
  readonly switchSeconds: number;
  /** From the SIGKILL to the sentinels naming the new master. */
  readonly failoverSeconds: number;
  readonly acked: number;
  readonly lost: number;
  /** READONLY replies during the switch (a write a replica refused, never one it accepted). */
  readonly readonly: number;
  readonly errors: number;
  readonly oldMaster: Pod;
  readonly newMaster: Pod;
}

/**
 * SIGKILL the master while a plain client writes numbered sessions (SET + WAIT 1) through the master
 * endpoint; measure when the sentinels name the new master and when writes flow again through HAProxy.
 */
export async function masterEndpointDrill(cluster: RedisCluster, client: Redis): Promise<EndpointDrillResult> {
  const oldMaster = await cluster.waitSettled();
  const writer = new AckedWriter(client, `session:endpoint:${Date.now()}:`, 1000).start();
  try {
    await writer.waitAcks(100);
    const from = writer.next;
    const errorsBefore = writer.errors.length;
    const t0 = Date.now();
    await cluster.kill(oldMaster);
    const failedOverAt = await waitFor('the sentinels to name a new master', async () => {
      const named = await cluster.sentinelMasters();
      return named.filter((ip) => ip && ip !== oldMaster.ip).length >= 2 ? Date.now() : undefined;
    }, 60000, 50);
    await waitFor('the first acknowledged write through the endpoint', () => writer.firstAckFrom(from), 60000, 20);
    const firstAck = writer.firstAckFrom(from)!;
    await writer.waitAcks(200);
    await writer.stop();
    const newMaster = await cluster.waitSettled(60000, 'the new master with its replicas').catch(async () => (await cluster.masters())[0]);
    const lost = (await writer.missingOn(cluster, newMaster)).length;
    const errors = writer.errors.slice(errorsBefore);
    return {
      switchSeconds: (firstAck - failedOverAt) / 1000,
      failoverSeconds: (failedOverAt - t0) / 1000,
      acked: writer.acked.length,
      lost,
      readonly: errors.filter((e) => /READONLY/.test(e)).length,
      errors: errors.length,
      oldMaster,
      newMaster,
    };
  } finally {
    await writer.stop();
  }
}
