/**
 * Master endpoint figures, on the synthesized production manifests (TLS) run by the live-test harness on
 * loopback (127.0.17.x, like bench/redis.ts, which runs before it): the real haproxy runs the generated
 * config in front of the Sentinel topology, a plain client writes through it, the master is SIGKILLed.
 *   master_endpoint_switch_s        the sentinels name the new master → first write acknowledged through
 *                                   HAProxy (median of 3 drills)
 *   master_endpoint_acked_writes_lost  acknowledged keys missing on the new master after those drills
 */
import Redis from 'ioredis';
import { RedisCluster } from '../test/support/redis/cluster';
import { FAST_SCRIPT_ENV } from '../test/support/redis/fixtures';
import { masterEndpointDrill, startMasterEndpoint } from '../test/support/redis/master-endpoint';
import { Figure, median, round } from './figures';

const OCTET = 17;
const DRILLS = 3;

export async function run(): Promise<Figure[]> {
  const cluster = new RedisCluster({ octet: OCTET, env: FAST_SCRIPT_ENV, maxLifetimeSeconds: 600 });
  let stop = () => undefined as void;
  try {
    cluster.startAll();
    await cluster.waitSettled(60000);
    const endpoint = await startMasterEndpoint(cluster);
    stop = endpoint.stop;
    const pod = endpoint.pods[0];
    const switches: number[] = [];
    let lost = 0;
    for (let i = 0; i < DRILLS; i++) {
      const client = new Redis({
        host: pod.ip, port: pod.port, username: 'app', password: cluster.passwords.app,
        tls: cluster.tls ? { ca: cluster.tls.ca.cert, servername: endpoint.host } : undefined,
        connectTimeout: 1000, retryStrategy: () => 50, maxRetriesPerRequest: null, autoResendUnfulfilledCommands: false, disconnectTimeout: 200,
      });
      client.on('error', () => undefined);
      try {
        const drill = await masterEndpointDrill(cluster, client);
        process.stderr.write(`bench: master endpoint drill ${i + 1}: ${drill.switchSeconds.toFixed(2)} s after the failover, ${drill.acked} acknowledged, ${drill.lost} lost, ${drill.readonly} READONLY\n`);
        switches.push(drill.switchSeconds);
        lost += drill.lost;
        cluster.start(drill.oldMaster);
        await cluster.waitSettled(60000);
      } finally {
        client.disconnect();
      }
    }
    return [
      { name: 'master_endpoint_switch_s', value: round(median(switches), 2), unit: 's', goal: '<= 2' },
      { name: 'master_endpoint_acked_writes_lost', value: lost, unit: 'writes', goal: '== 0' },
    ];
  } finally {
    stop();
    await cluster.dispose();
  }
}
