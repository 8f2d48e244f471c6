/**
 * The client of the node drills: a pod labelled as a client, configured only from the client contract (the
 * release's client ConfigMap by envFrom, the passwords by secretKeyRef), that writes numbered session keys
 * through Sentinel discovery and has each one acknowledged by `WAIT 1`. It prints `ACK <n>` once write n is
 * held by the master and at least one replica; a refused or unacknowledged write is retried under the same
 * number after asking the Sentinels again, so a number is never skipped.
 *
 * The kubelet's log of the container (CRI format) stamps every line with the time containerd read it: the
 * write gaps come from those stamps, not from a clock of the test. At the end of a drill every acknowledged
 * key must be on the master the Sentinels name.
 */
import * as fs from 'fs';
import * as path from 'path';
import { nodeDir } from '../../scripts/node/node';
import { TestCluster } from '../support/cluster';
import { ON_REAL_NODE, redisCliInNode, redisTlsArgs } from './support';
import { RealNode } from '../../scripts/node/node';

/** Key prefix of the drill's writes, under the sessions prefix the app user may write. */
const DRILL_KEYS = 'drill:';

// The master is asked again after any write that is not acknowledged: READONLY from a demoted master, a
// refused or timed-out connection to a crashed or deleted one, or WAIT 0 while the replicas reconnect.
const CLIENT_SCRIPT = `
set -u
export REDISCLI_AUTH="$REDIS_PASSWORD"
tls=""
if [ "$REDIS_TLS" = true ]; then tls="--tls --cacert /tls/ca.crt"; fi
sentinel_host=\${REDIS_SENTINELS%:*}
sentinel_port=\${REDIS_SENTINELS##*:}
n=1
host=""
while :; do
  if [ -z "$host" ]; then
    addr=$(timeout 2 redis-cli --no-auth-warning $tls -h "$sentinel_host" -p "$sentinel_port" --user "$REDIS_SENTINEL_USERNAME" \\
      SENTINEL get-master-addr-by-name "$REDIS_MASTER_NAME" 2>/dev/null | tr '\\n' ' ')
    host=\${addr%% *}
    port=$(echo "$addr" | cut -d' ' -f2)
    if [ -z "$host" ] || [ -z "$port" ]; then host=""; sleep 0.1; continue; fi
  fi
  reply=$(printf 'SET %s%s%s %s\\nWAIT 1 1000\\n' "$REDIS_KEY_PREFIX" "${DRILL_KEYS}" "$n" "$n" |
    timeout 2 redis-cli --no-auth-warning $tls -h "$host" -p "$port" --user "$REDIS_USERNAME" -n "$REDIS_SESSIONS_DB" 2>&1 | tr '\\n' ' ')
  case "$reply" in
    "OK 0 "*) echo "NOACK $n"; host="";;
    "OK "[1-9]*) echo "ACK $n"; n=$((n + 1));;
    *) echo "RETRY $n $reply"; host=""; sleep 0.05;;
  esac
done
`;

export interface Ack {
  n: number;
  /** Milliseconds since the epoch at which containerd read the line (nanoseconds cut to ms). */
  at: number;
}

export interface DrillClient {
  readonly pod: string;
  /** Every write acknowledged so far, in order. */
  acks(): Ack[];
  /** Waits until at least `count` more writes are acknowledged than now. */
  waitForAcks(count: number, timeoutMs?: number): Promise<void>;
  /** Acknowledged keys missing from the master the Sentinels name now. */
  lostAcknowledgedWrites(): number[];
  /** The longest time between two consecutive acknowledgements in [from, to] (ms since epoch), in seconds. */
  longestGapSeconds(from: number, to: number): number;
}

/** Starts the drill client pod in the release namespace and waits until it writes. */
export async function startDrillClient(cluster: TestCluster, node: RealNode, namespace: string, release: string): Promise<DrillClient> {
  const pod = 'drill-client';
  const contract = cluster.json(['get', 'configmap', `${release}-client`, '-n', namespace]).data as Record<string, string>;
  const secretKey = (name: string) => ({ valueFrom: { secretKeyRef: { name: contract.CREDENTIALS_SECRET, key: name } } });
  // With TLS the client trusts the release CA from the Secret the contract names, mounted as its docs show.
  const tls = contract.REDIS_TLS === 'true';
  const caVolume = { name: 'redis-ca', secret: { secretName: contract.REDIS_TLS_CA_SECRET, items: [{ key: contract.REDIS_TLS_CA_KEY, path: 'ca.crt' }] } };
  const spec = {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name: pod, namespace, labels: { 'session-database/client': 'true', app: 'drill-client' } },
    spec: {
      ...ON_REAL_NODE,
      restartPolicy: 'Never',
      terminationGracePeriodSeconds: 1,
      securityContext: { runAsNonRoot: true, runAsUser: 999, runAsGroup: 999, seccompProfile: { type: 'RuntimeDefault' } },
      volumes: tls ? [caVolume] : [],
      containers: [
        {
          name: 'client',
          volumeMounts: tls ? [{ name: 'redis-ca', mountPath: '/tls', readOnly: true }] : [],
          image: node.images.redis.ref,
          imagePullPolicy: 'Never',
          command: ['/bin/sh', '-c', CLIENT_SCRIPT],
          envFrom: [{ configMapRef: { name: `${release}-client` } }],
          env: [
            { name: 'REDIS_PASSWORD', ...secretKey(contract.REDIS_PASSWORD_KEY) },
            // The Sentinels know the app user under the same password key (the contract names it).
            { name: 'REDIS_SENTINEL_PASSWORD', ...secretKey(contract.REDIS_SENTINEL_PASSWORD_KEY) },
          ],
          resources: { requests: { cpu: '50m', memory: '16Mi' }, limits: { memory: '64Mi' } },
          securityContext: { allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: { drop: ['ALL'] } },
        },
      ],
    },
  };
  cluster.kubectlOk(['create', '-f', '-'], JSON.stringify(spec));
  cluster.kubectlOk(['wait', '--for=condition=Ready', `pod/${pod}`, '-n', namespace, '--timeout=60s']);
  const uid = cluster.json(['get', 'pod', pod, '-n', namespace]).metadata.uid as string;
  const logDir = path.join(nodeDir(), 'pods', `${namespace}_${pod}_${uid}`, 'client');
  const password = Buffer.from(cluster.json(['get', 'secret', contract.CREDENTIALS_SECRET, '-n', namespace]).data[contract.REDIS_PASSWORD_KEY], 'base64').toString();

  const lines = (): string[] => {
    if (!fs.existsSync(logDir)) return [];
    // Rotated files (0.log.<time>) sort before the live one.
    const files = fs.readdirSync(logDir).sort((a, b) => (a === '0.log' ? 1 : b === '0.log' ? -1 : a.localeCompare(b)));
    return files.flatMap((f) => fs.readFileSync(path.join(logDir, f), 'utf8').split('\n'));
  };
  const acks = (): Ack[] => {
    const out: Ack[] = [];
    for (const line of lines()) {
      // <RFC3339Nano time> stdout F ACK <n>
      const m = /^(\S+) stdout F ACK (\d+)$/.exec(line);
      if (m) out.push({ n: Number(m[2]), at: Date.parse(m[1].replace(/(\.\d{3})\d*/, '$1')) });
    }
    return out;
  };
  const sentinelIp = () => cluster.json(['get', 'pod', `${release}-sentinel-0`, '-n', namespace]).status.podIP as string;

  const client: DrillClient = {
    pod,
    acks,
    async waitForAcks(count, timeoutMs = 60_000) {
      const target = acks().length + count;
      const deadline = Date.now() + timeoutMs;
      while (acks().length < target) {
        if (Date.now() > deadline) {
          throw new Error(`drill client: fewer than ${count} acknowledged writes within ${timeoutMs / 1000}s; its log ends:\n${lines().slice(-15).join('\n')}`);
        }
        await new Promise((r) => setTimeout(r, 200));
      }
    },
    lostAcknowledgedWrites() {
      const acked = acks().map((a) => a.n);
      const addr = redisCliInNode([...redisTlsArgs(cluster, namespace), '-h', sentinelIp(), '-p', contract.REDIS_SENTINELS.split(':')[1], '--user', contract.REDIS_SENTINEL_USERNAME, 'SENTINEL', 'get-master-addr-by-name', contract.REDIS_MASTER_NAME], password).stdout.trim().split('\n');
      const masterIp = cluster.json(['get', 'pod', addr[0].split('.')[0], '-n', namespace]).status.podIP as string;
      // A stalled moment of this machine is asked again (up to 4 times), not taken for a missing key.
      let r = { status: null as number | null, stdout: '', stderr: '' };
      for (let attempt = 0; attempt < 4 && r.status !== 0; attempt++) r = redisCliInNode([...redisTlsArgs(cluster, namespace), '-h', masterIp, '-p', addr[1], '--user', contract.REDIS_USERNAME, '-n', contract.REDIS_SESSIONS_DB, '--scan', '--pattern', `${contract.REDIS_KEY_PREFIX}${DRILL_KEYS}*`], password);
      if (r.status !== 0) throw new Error(`scan of the master ${addr[0]} failed: ${r.stderr}`);
      const present = new Set(r.stdout.split('\n').filter(Boolean).map((k) => Number(k.slice(contract.REDIS_KEY_PREFIX.length + DRILL_KEYS.length))));
      return acked.filter((n) => !present.has(n));
    },
    longestGapSeconds(from, to) {
      const inWindow = acks().filter((a) => a.at >= from - 5_000 && a.at <= to);
      let longest = 0;
      for (let i = 1; i < inWindow.length; i++) {
        if (inWindow[i].at < from) continue;
        longest = Math.max(longest, inWindow[i].at - inWindow[i - 1].at);
      }
      return longest / 1000;
    },
  };
  await client.waitForAcks(20);
  return client;
}

/** The kubelet's logs of every container of the pods whose name starts with `podPrefix` (kubectl logs cannot reach the node). */
export function podLogs(namespace: string, podPrefix: string, lines = 40): string {
  const root = path.join(nodeDir(), 'pods');
  if (!fs.existsSync(root)) return '(no pod logs)';
  const out: string[] = [];
  for (const podDir of fs.readdirSync(root).filter((d) => d.startsWith(`${namespace}_${podPrefix}`))) {
    for (const container of fs.readdirSync(path.join(root, podDir))) {
      for (const file of fs.readdirSync(path.join(root, podDir, container))) {
        const text = fs.readFileSync(path.join(root, podDir, container, file), 'utf8').trimEnd().split('\n').slice(-lines);
        out.push(`--- ${podDir}/${container}/${file}`, ...text);
      }
    }
  }
  return out.join('\n') || '(no pod logs)';
}
