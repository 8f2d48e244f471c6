/**
 * The failover drills on the real node, shared by test/node and bench/node: each disturbs the release while
 * the drill client (drill-client.ts) writes, waits until the release is whole again and the client writes
 * again, and reports the longest write gap and the acknowledged writes the master lacks.
 */
import { eventually, expectHelmOk, TestCluster } from '../support/cluster';
import { CHART, RELEASE } from '../support/helm';
import { RealNode } from '../../scripts/node/node';
import { DrillClient } from './drill-client';
import { containerPid, productionValuesOnNode, redisCliInNode, redisTlsArgs } from './support';

export interface DrillResult {
  /** Longest time between two acknowledged writes from the disturbance until writes flowed again. */
  gapSeconds: number;
  /** Acknowledged writes (numbers) missing from the master afterwards: must be none. */
  lost: number[];
  /** Seconds from the disturbance until the release was whole again (one master, two replicas, all Ready). */
  settledSeconds: number;
  masterBefore: string;
  masterAfter: string;
}

interface RedisPod {
  metadata: { name: string; labels: Record<string, string> };
  status: { podIP?: string; conditions?: { type: string; status: string }[] };
}

function monitorPassword(cluster: TestCluster, namespace: string): string {
  return Buffer.from(cluster.json(['get', 'secret', `${RELEASE}-auth`, '-n', namespace]).data['monitor-password'], 'base64').toString();
}

const redisPods = (cluster: TestCluster, namespace: string) =>
  cluster.json(['get', 'pods', '-n', namespace, '-l', 'app.kubernetes.io/component=redis']).items as RedisPod[];

const ready = (p: RedisPod) => p.status.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') ?? false;

/** The Redis pod the Sentinels name master (asking Sentinel `sentinel`), e.g. session-database-redis-1. */
/**
 * What a Sentinel knows of the master: its replicas and the other Sentinels (SENTINEL MASTER's counters), and
 * whether it sees the master up. A Sentinel learns the replicas from the master's INFO, every 10 s: a master
 * that crashes before that cannot be failed over (no replica to promote), so a drill waits for it.
 */
function sentinelView(cluster: TestCluster, namespace: string, sentinel: number): { replicas: number; sentinels: number; up: boolean } {
  const ip = cluster.json(['get', 'pod', `${RELEASE}-sentinel-${sentinel}`, '-n', namespace]).status.podIP as string;
  const lines = redisCliInNode([...redisTlsArgs(cluster, namespace), '-h', ip, '-p', '26379', '--user', 'monitor', 'SENTINEL', 'MASTER', 'mymaster'], monitorPassword(cluster, namespace)).stdout.split('\n');
  const field = (name: string) => lines[lines.indexOf(name) + 1] ?? '';
  return { replicas: Number(field('num-slaves')), sentinels: Number(field('num-other-sentinels')), up: field('flags') === 'master' };
}

export function sentinelMaster(cluster: TestCluster, namespace: string, sentinel = 0): string {
  const ip = cluster.json(['get', 'pod', `${RELEASE}-sentinel-${sentinel}`, '-n', namespace]).status.podIP as string;
  const r = redisCliInNode([...redisTlsArgs(cluster, namespace), '-h', ip, '-p', '26379', '--user', 'monitor', 'SENTINEL', 'get-master-addr-by-name', 'mymaster'], monitorPassword(cluster, namespace));
  return r.stdout.split('\n')[0].trim().split('.')[0];
}

/** Every Sentinel names the same master, it answers ROLE master, the two others replicas; all pods Ready. */
export async function wholeAgain(cluster: TestCluster, namespace: string, timeoutMs = 180_000): Promise<string> {
  const monitor = monitorPassword(cluster, namespace);
  return eventually('every Sentinel names one master that answers as master, two replicas, all Redis pods Ready, and knows both replicas and both other Sentinels', () => {
    const named = new Set([0, 1, 2].map((i) => sentinelMaster(cluster, namespace, i)));
    if (named.size !== 1) return undefined;
    const views = [0, 1, 2].map((i) => sentinelView(cluster, namespace, i));
    if (!views.every((v) => v.up && v.replicas === 2 && v.sentinels === 2)) return undefined;
    const [master] = named;
    const pods = redisPods(cluster, namespace);
    if (pods.length !== 3 || !pods.every(ready)) return undefined;
    const roles = pods.map((p) => [p.metadata.name, redisCliInNode([...redisTlsArgs(cluster, namespace), '-h', p.status.podIP!, '--user', 'monitor', 'ROLE'], monitor).stdout.split('\n')[0]] as const);
    const masters = roles.filter(([, r]) => r === 'master').map(([n]) => n);
    return masters.length === 1 && masters[0] === master && roles.filter(([, r]) => r === 'slave').length === 2 ? master : undefined;
  }, timeoutMs);
}

async function finish(client: DrillClient, started: number, masterBefore: string, masterAfter: string): Promise<DrillResult> {
  const settledSeconds = (Date.now() - started) / 1000;
  // Writes must flow again (and the gap close) before it is measured.
  await client.waitForAcks(20);
  return { gapSeconds: client.longestGapSeconds(started, Date.now()), lost: client.lostAcknowledgedWrites(), settledSeconds, masterBefore, masterAfter };
}

/** SIGKILL of the master's redis-server (a crash); the kubelet restarts the container. */
export async function crashDrill(cluster: TestCluster, node: RealNode, namespace: string, client: DrillClient): Promise<DrillResult> {
  const before = await wholeAgain(cluster, namespace);
  await client.waitForAcks(20);
  const started = Date.now();
  process.kill(containerPid(node, namespace, before, 'redis'), 'SIGKILL');
  const after = await wholeAgain(cluster, namespace);
  return finish(client, started, before, after);
}

/** `kubectl delete pod` of the master: its preStop hook hands mastership over. */
export async function deletePodDrill(cluster: TestCluster, namespace: string, client: DrillClient): Promise<DrillResult> {
  const before = await wholeAgain(cluster, namespace);
  await client.waitForAcks(20);
  const oldUid = cluster.json(['get', 'pod', before, '-n', namespace]).metadata.uid as string;
  const started = Date.now();
  cluster.kubectlOk(['delete', 'pod', before, '-n', namespace, '--wait=false']);
  // The pod must really be replaced before "whole again" means anything.
  await eventually(`${before} replaced`, () => {
    const r = cluster.kubectl(['get', 'pod', before, '-n', namespace, '-o', 'jsonpath={.metadata.uid}']);
    return r.status === 0 && r.stdout.trim() !== oldUid ? true : undefined;
  }, 120_000);
  const after = await wholeAgain(cluster, namespace);
  return finish(client, started, before, after);
}

export interface RollingUpgradeResult extends DrillResult {
  /** The pods in the order they were replaced. */
  order: string[];
  /**
   * The most Redis pods in replacement at one time during the rollout: the original gone and its replacement
   * not yet Ready once (what the StatefulSet controller orders). Readiness flaps afterwards, or of pods the
   * rollout has not reached, count in mostNotReady.
   */
  mostUnavailable: number;
  /** The most Redis pods not Ready (or missing) at one time, for whatever reason. */
  mostNotReady: number;
}

/**
 * `helm upgrade` that changes the Redis pod template (a pod annotation): the StatefulSet replaces its pods one
 * at a time; the master's preStop hands over before it goes.
 */
export async function rollingUpgradeDrill(cluster: TestCluster, node: RealNode, namespace: string, client: DrillClient, mark: string, releaseArgs: string[] = []): Promise<RollingUpgradeResult> {
  return rollingDrill(cluster, namespace, client, () => {
    const valuesArgs = productionValuesOnNode(node, namespace, [...releaseArgs, '--set-string', `redis.podAnnotations.session-database/drill=${mark}`]);
    expectHelmOk(cluster, cluster.helm(4, ['upgrade', RELEASE, CHART, '-n', namespace, ...valuesArgs], 120_000), namespace);
  });
}

/** The restart the README documents after a certificate renewal: `kubectl rollout restart` of both StatefulSets. */
export async function rolloutRestartDrill(cluster: TestCluster, namespace: string, client: DrillClient): Promise<RollingUpgradeResult> {
  return rollingDrill(cluster, namespace, client, () => {
    cluster.kubectlOk(['rollout', 'restart', `statefulset/${RELEASE}-sentinel`, `statefulset/${RELEASE}-redis`, '-n', namespace]);
  });
}

/** Runs `change` (which must change the Redis pod template) and follows the rollout until every pod is replaced and Ready. */
async function rollingDrill(cluster: TestCluster, namespace: string, client: DrillClient, change: () => void): Promise<RollingUpgradeResult> {
  const before = await wholeAgain(cluster, namespace);
  await client.waitForAcks(20);
  const uids = new Map(redisPods(cluster, namespace).map((p) => [p.metadata.name, (p as unknown as { metadata: { uid: string } }).metadata.uid]));
  const started = Date.now();
  change();
  const order: string[] = [];
  let mostUnavailable = 0;
  let mostNotReady = 0;
  const cameBack = new Set<string>();
  await eventually('every Redis pod replaced by the new template and Ready', () => {
    const pods = redisPods(cluster, namespace);
    const replaced = (p: RedisPod) => (p as unknown as { metadata: { uid: string } }).metadata.uid !== uids.get(p.metadata.name);
    for (const p of pods) {
      if (replaced(p) && !order.includes(p.metadata.name)) order.push(p.metadata.name);
      if (replaced(p) && ready(p)) cameBack.add(p.metadata.name);
    }
    const present = new Set(pods.filter((p) => !replaced(p)).map((p) => p.metadata.name));
    // In replacement: the original pod is gone and its replacement has not been Ready yet.
    const inReplacement = [...uids.keys()].filter((name) => !present.has(name) && !cameBack.has(name)).length;
    mostUnavailable = Math.max(mostUnavailable, inReplacement);
    mostNotReady = Math.max(mostNotReady, 3 - pods.length + pods.filter((p) => !ready(p)).length);
    const sts = cluster.json(['get', 'statefulset', `${RELEASE}-redis`, '-n', namespace]);
    const done = sts.status.updateRevision === sts.status.currentRevision && sts.status.updatedReplicas === 3 && sts.status.readyReplicas === 3;
    return done && order.length === 3 ? true : undefined;
  }, 600_000);
  const after = await wholeAgain(cluster, namespace);
  return { ...(await finish(client, started, before, after)), order, mostUnavailable, mostNotReady };
}
