/**
 * Redis figures, measured on the synthesized production manifests (dist/production)
 * run as real processes by the live-test harness (loopback 127.0.17.x):
 *   failover_median_s / failover_max_s  SIGKILL of the master → first write acknowledged
 *                                       with WAIT 1 on the new master (5 drills)
 *   acked_writes_lost                   acknowledged keys missing after those drills
 *   handover_write_gap_s                longest gap between acknowledged writes while the
 *                                       master is stopped through its preStop hook
 *   redis_throughput_ratio              redis-benchmark SET/GET (50 clients, random session
 *                                       keys) as the app user against the generated production
 *                                       config (master + 2 replicas, AOF, ACL) vs stock
 *                                       redis-server defaults in the same topology and the same
 *                                       transport (production has tls.enabled: the stock nodes
 *                                       then get only the TLS settings: port 0, tls-port, the
 *                                       certificate, tls-replication)
 *   redis_tls_throughput_ratio          (TLS only) the stock topology over TLS vs the stock
 *                                       topology in plaintext: what TLS itself costs
 * Production runs TLS-only (values/production.yaml), so the drills run over TLS too.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { RedisCluster } from '../test/support/redis/cluster';
import { failoverDrill } from '../test/support/redis/drills';
import { FAST_SCRIPT_ENV } from '../test/support/redis/fixtures';
import { run as runProgram, waitFor } from '../test/support/redis/processes';
import { Figure, median, round } from './figures';

const OCTET = 17; // 10–16: test/live, 19: test/maintenance/backup-scaling.live.test.ts
const DRILLS = 5;
const BENCH_REQUESTS = 100000;

/** requests/s of SET and GET on session keys (redis-benchmark --csv); auth may carry TLS options. */
async function benchmark(host: string, auth: string[]): Promise<number> {
  const rates: number[] = [];
  for (const command of [['SET', 'session:__rand_int__', 'xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx'], ['GET', 'session:__rand_int__']]) {
    const r = await runProgram('redis-benchmark', ['-h', host, '-p', '6379', ...auth, '-n', String(BENCH_REQUESTS), '-c', '50', '-r', '100000', '--csv', ...command], { timeoutMs: 60000 });
    const m = /^"[^"]*","([0-9.]+)"/m.exec(r.stdout);
    if (r.code !== 0 || !m) throw new Error(`redis-benchmark ${command[0]} on ${host} failed (${r.code}): ${r.stdout}${r.stderr}`);
    rates.push(Number(m[1]));
  }
  return rates.reduce((a, b) => a + b, 0) / rates.length;
}

export async function run(): Promise<Figure[]> {
  const cluster = new RedisCluster({ octet: OCTET, env: FAST_SCRIPT_ENV, maxLifetimeSeconds: 600 });
  const stockDir = fs.mkdtempSync(path.join(os.tmpdir(), 'redis-stock-'));
  try {
    cluster.startAll();
    await cluster.waitSettled(60000);

    const seconds: number[] = [];
    let lost = 0;
    for (let i = 0; i < DRILLS; i++) {
      const drill = await failoverDrill(cluster, { mode: 'kill' });
      process.stderr.write(`bench: failover drill ${i + 1}: ${drill.seconds.toFixed(2)} s, ${drill.acked} acknowledged, ${drill.lost} lost\n`);
      seconds.push(drill.seconds);
      lost += drill.lost;
    }
    const handover = await failoverDrill(cluster, { mode: 'handover' });
    process.stderr.write(`bench: handover: gap ${handover.maxGapSeconds.toFixed(2)} s, ${handover.lost} lost\n`);
    lost += handover.lost;

    // Throughput: the generated production config (live master with its two replicas, AOF,
    // ACL user app) vs stock defaults in the same topology (a redis-server without config
    // file, every default: no AOF, no ACL, with two stock replicas), measured alternately.
    const master = await cluster.waitSettled(60000);
    const tls = cluster.tlsEnabled;
    // TLS settings only (what tls.sh adds), with the Redis pods' certificate files.
    const tlsDir = cluster.redis[0].volumes.tls;
    const stockTls = tls ? ['--port', '0', '--tls-port', '6379', '--tls-cert-file', `${tlsDir}/tls.crt`, '--tls-key-file', `${tlsDir}/tls.key`, '--tls-ca-cert-file', `${tlsDir}/ca.crt`, '--tls-auth-clients', 'no', '--tls-replication', 'yes'] : [];
    /** A stock master with two stock replicas on 127.0.OCTET.<base>0..2. */
    const startStock = async (name: string, base: number, transport: string[]) => {
      const ips = [0, 1, 2].map((i) => `127.0.${OCTET}.${base}${i}`);
      ips.forEach((ip, i) => {
        const dir = path.join(stockDir, `${name}-${i}`);
        fs.mkdirSync(dir);
        cluster.startProcess(`${name}-${i}`, ip, 6379, ['redis-server', '--bind', ip, '--dir', dir, ...transport, ...(i > 0 ? ['--replicaof', ips[0], '6379'] : [])]);
      });
      const cli = transport.length ? cluster.cliArgs : [];
      await waitFor(`the ${name} master with two replicas`, async () => /connected_slaves:2/.test((await runProgram('redis-cli', [...cli, '-h', ips[0], 'INFO', 'replication'])).stdout), 20000);
      return ips[0];
    };
    const stockMaster = await startStock('stock-redis', 9, stockTls);
    const plainMaster = tls ? await startStock('stock-plain', 8, []) : undefined;
    const prodAuth = [...cluster.cliArgs, '--user', 'app', '-a', cluster.passwords.app];
    const stock: number[] = [];
    const prod: number[] = [];
    const plain: number[] = [];
    for (let i = 0; i < 3; i++) {
      stock.push(await benchmark(stockMaster, tls ? cluster.cliArgs : []));
      prod.push(await benchmark(master.ip, prodAuth));
      if (plainMaster) plain.push(await benchmark(plainMaster, []));
    }
    const ratio = median(prod) / median(stock);
    process.stderr.write(`bench: redis-benchmark SET/GET mean rps${tls ? ' over TLS' : ''}: production config ${prod.map(Math.round).join(', ')}; stock ${stock.map(Math.round).join(', ')}${tls ? `; stock in plaintext ${plain.map(Math.round).join(', ')}` : ''}\n`);

    return [
      { name: 'failover_median_s', value: round(median(seconds), 2), unit: 's', goal: '<= 6' },
      { name: 'failover_max_s', value: round(Math.max(...seconds), 2), unit: 's', goal: '' },
      { name: 'acked_writes_lost', value: lost, unit: 'writes', goal: '== 0' },
      { name: 'handover_write_gap_s', value: round(handover.maxGapSeconds, 2), unit: 's', goal: '' },
      { name: 'redis_throughput_ratio', value: round(ratio, 3), unit: 'ratio', goal: '>= 0.9' },
      ...(tls ? [{ name: 'redis_tls_throughput_ratio', value: round(median(stock) / median(plain), 3), unit: 'ratio', goal: '' }] : []),
    ];
  } catch (e) {
    process.stderr.write(`${cluster.logs(80)}\n`);
    throw e;
  } finally {
    await cluster.dispose();
    fs.rmSync(stockDir, { recursive: true, force: true });
  }
}

if (require.main === module) {
  run().then((f) => console.log(JSON.stringify(f, null, 2)));
}
