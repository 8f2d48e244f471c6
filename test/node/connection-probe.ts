/**
 * A probe pod on the real node that tries connections and reports which were let through: a restricted pod
 * of the local redis image, with the labels under test, in the namespace under test. A Redis or Sentinel
 * port counts as open when anything answers PING (NOAUTH is an answer); an HTTP port when a response comes.
 * A connection the NetworkPolicy firewall drops times out after TIMEOUT_SECONDS; one it rejects is refused.
 */
import * as fs from 'fs';
import * as path from 'path';
import { nodeDir, RealNode } from '../../scripts/node/node';
import { eventually, TestCluster } from '../support/cluster';
import { ON_REAL_NODE } from './support';
import { podLogs } from './drill-client';

const TIMEOUT_SECONDS = 3;
const SETTLE_SECONDS = 10;

export interface ConnectionCheck {
  /** Name of the check in the result. */
  name: string;
  /** rediss: TLS without verifying the server (reachability only: the probe holds no CA). */
  kind: 'redis' | 'rediss' | 'http';
  host: string;
  port: number;
}

export type Reachability = Record<string, 'open' | 'closed'>;

// A new pod's address reaches the firewall's rules a moment after the pod starts (kube-router syncs on the
// pod event, about 0.1 s here, later under CI load), so every check is tried again each second until it is
// open or SETTLE_SECONDS have passed.
const SCRIPT = `
result() {
  if [ "$kind" = redis ]; then
    reply=$(timeout ${TIMEOUT_SECONDS} redis-cli --no-auth-warning -h "$host" -p "$port" PING 2>&1)
  elif [ "$kind" = rediss ]; then
    reply=$(timeout ${TIMEOUT_SECONDS} redis-cli --no-auth-warning --tls --insecure -h "$host" -p "$port" PING 2>&1)
  else
    reply=$(timeout ${TIMEOUT_SECONDS} wget -q -O - "http://$host:$port/metrics" 2>&1 | head -c 64)
  fi
  case "$reply" in
    PONG*|NOAUTH*|*"Authentication required"*|"# HELP"*|"# TYPE"*) echo open;;
    *) echo "closed $(echo "$reply" | tr '\\n' ' ' | head -c 80)";;
  esac
}
for check in $CHECKS; do
  name=\${check%%=*}; rest=\${check#*=}; kind=\${rest%%:*}; rest=\${rest#*:}; host=\${rest%:*}; port=\${rest##*:}
  deadline=$(($(date +%s) + ${SETTLE_SECONDS}))
  r=$(result)
  while [ "\${r%% *}" = closed ] && [ "$(date +%s)" -lt "$deadline" ]; do sleep 1; r=$(result); done
  echo "RESULT $name $r"
done
`;

/** Runs the probe pod to completion and returns each check's result. */
export async function probeConnections(
  cluster: TestCluster,
  node: RealNode,
  namespace: string,
  pod: string,
  labels: Record<string, string>,
  checks: readonly ConnectionCheck[],
): Promise<Reachability> {
  const spec = {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name: pod, namespace, labels },
    spec: {
      ...ON_REAL_NODE,
      restartPolicy: 'Never',
      securityContext: { runAsNonRoot: true, runAsUser: 999, runAsGroup: 999, seccompProfile: { type: 'RuntimeDefault' } },
      containers: [
        {
          name: 'probe',
          image: node.images.redis.ref,
          imagePullPolicy: 'Never',
          command: ['/bin/sh', '-c', SCRIPT],
          env: [{ name: 'CHECKS', value: checks.map((c) => `${c.name}=${c.kind}:${c.host}:${c.port}`).join(' ') }],
          resources: { requests: { cpu: '10m', memory: '16Mi' }, limits: { memory: '64Mi' } },
          securityContext: { allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: { drop: ['ALL'] } },
        },
      ],
    },
  };
  cluster.kubectlOk(['create', '-f', '-'], JSON.stringify(spec));
  await eventually(`probe pod ${namespace}/${pod} finished`, () => {
    const phase = cluster.json(['get', 'pod', pod, '-n', namespace]).status.phase as string;
    if (phase === 'Failed') throw new Error(`probe pod failed:\n${podLogs(namespace, pod)}`);
    return phase === 'Succeeded' || undefined;
  }, 30_000 + checks.length * (SETTLE_SECONDS + TIMEOUT_SECONDS + 2) * 1000);
  const uid = cluster.json(['get', 'pod', pod, '-n', namespace]).metadata.uid as string;
  const log = fs.readFileSync(path.join(nodeDir(), 'pods', `${namespace}_${pod}_${uid}`, 'probe', '0.log'), 'utf8');
  const result: Reachability = {};
  for (const m of log.matchAll(/ stdout F RESULT (\S+) (open|closed)/g)) result[m[1]] = m[2] as 'open' | 'closed';
  if (Object.keys(result).length !== checks.length) throw new Error(`probe pod ${pod} reported ${Object.keys(result).length} of ${checks.length} checks:\n${log}`);
  return result;
}
