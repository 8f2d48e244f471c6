/**
 * Session cleanup at scale: 1 000 000 session index entries on a real redis-server
 * started with the synthesized start script, config and ACL; the session cleanup
 * CronJob's script run from the synthesized ConfigMap (test/maintenance/lab.ts).
 *   cleanup_entries_per_s   index entries the cleanup handles per second of its wall time
 *   cleanup_get_p99_ratio   p99 latency of app GETs (one at a time) during the cleanup
 *                           divided by their p99 on the idle server
 * and the off-cluster backup figures of bench/backup-s3.ts (backup_upload_s, restore_from_bucket_s).
 */
import * as fs from 'fs';
import * as path from 'path';
import { run as backupS3Figures } from './backup-s3';
import { Figure, round } from './figures';
import { Lab } from '../test/maintenance/lab';
import { renderEnvironment } from '../test/support/manifests';
import { run as runProgram, waitFor } from '../test/support/redis/processes';

const ENTRIES = 1_000_000;
const PER_USER = 8;
const USERS = ENTRIES / PER_USER;
const PREFIX = 'session:';
const IP = '127.0.20.5';

function resp(args: string[]): string {
  return `*${args.length}\r\n${args.map((a) => `$${Buffer.byteLength(a)}\r\n${a}\r\n`).join('')}`;
}

/** RESP for `redis-cli --pipe`: per user 8 index entries, 70 % of them with a live session key. */
function writeDataset(file: string): string[] {
  const out = fs.openSync(file, 'w');
  const live: string[] = [];
  let chunk = '';
  let seed = 42;
  const rnd = () => ((seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648);
  for (let u = 0; u < USERS; u++) {
    const alive: string[] = [];
    for (let i = 0; i < PER_USER; i++) {
      const id = `b${u}x${i}`;
      if (rnd() < 0.7) {
        chunk += resp(['SET', `${PREFIX}${id}`, `{"user":"u${u}","created":${i}}`, 'EX', '3600']);
        alive.push(`${PREFIX}${id}`);
      }
      chunk += resp(['ZADD', `${PREFIX}user:u${u}`, String(1_700_000_000_000 + i * 1000), id]);
    }
    // The newest maxSessionsPerUser (default 5) stay; the app reads those.
    if (live.length < 200_000) live.push(...alive.slice(-5));
    if (chunk.length > 1 << 20) {
      fs.writeSync(out, chunk);
      chunk = '';
    }
  }
  fs.writeSync(out, chunk);
  fs.closeSync(out);
  return live;
}

const p99 = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor(s.length * 0.99))];
};

export async function run(): Promise<Figure[]> {
  return [...(await cleanupFigures()), ...(await backupS3Figures())];
}

async function cleanupFigures(): Promise<Figure[]> {
  const objects = renderEnvironment('dev', {
    redis: { master: { maxmemory: '2gb' }, resources: { limits: { memory: '3Gi' } } },
  });
  const lab = new Lab(objects, 900);
  try {
    const node = await lab.startRedis(IP);
    const file = path.join(lab.root, 'dataset.resp');
    const live = writeDataset(file);
    const fill = await runProgram('sh', ['-c', `redis-cli --no-auth-warning --user app -h ${IP} -p ${node.port} --pipe < ${file}`], {
      env: { PATH: process.env.PATH!, HOME: lab.root, REDISCLI_AUTH: lab.passwords.app },
      timeoutMs: 300_000,
    });
    if (fill.code !== 0 || !/errors: 0/.test(fill.stdout)) throw new Error(`filling failed: ${fill.stdout} ${fill.stderr}`);

    const app = lab.client(node, 'app');
    let i = 0;
    // App traffic: one GET of a live session about every millisecond (an open loop, like
    // requests arriving, not a client spinning on a core of this 2-core machine).
    const sample = async (keepGoing: () => boolean, min: number) => {
      const lat: number[] = [];
      while (keepGoing() || lat.length < min) {
        const key = live[(i++ * 7919) % live.length];
        const t = process.hrtime.bigint();
        const v = await app.get(key);
        lat.push(Number(process.hrtime.bigint() - t) / 1e6);
        if (v === null) throw new Error(`live session ${key} is missing`);
        await new Promise((r) => setTimeout(r, 1));
      }
      return lat;
    };
    // Idle means idle: no AOF rewrite or snapshot left over from filling.
    await waitFor('background persistence to finish', async () => {
      const info = (await lab.cli(node, 'monitor', ['INFO', 'persistence'])).stdout;
      return /aof_rewrite_in_progress:0/.test(info) && /rdb_bgsave_in_progress:0/.test(info) && /aof_rewrite_scheduled:0/.test(info);
    }, 120_000);
    await sample(() => false, 1000); // warm-up
    // Idle samples before and after the run, so drifting background load on the machine
    // weighs on both sides of the ratio alike.
    let idleUntil = Date.now() + 4000;
    const idle = await sample(() => Date.now() < idleUntil, 0);

    let done = false;
    // BENCH_BATCH overrides maintenance.sessionCleanup.batchSize to explore the trade-off.
    const env: Record<string, string> = process.env.BENCH_BATCH ? { BATCH_SIZE: process.env.BENCH_BATCH } : {};
    // In the cluster the Job is its own pod with its own CPU (limit 500m); on this small
    // machine its shell and redis-cli would otherwise take CPU from Redis and the app, so
    // they run at the lowest priority.
    const job = lab.runJob('session-cleanup', { redisHost: node.ip, timeoutMs: 600_000, env, wrapper: ['nice', '-n', '19'] }).finally(() => (done = true));
    const during = await sample(() => !done, 0);
    const result = await job;
    idleUntil = Date.now() + 4000;
    idle.push(...(await sample(() => Date.now() < idleUntil, 0)));
    if (result.code !== 0) throw new Error(`session cleanup failed: ${result.stderr}${result.stdout}`);
    const scanned = Number(/scanned=(\d+)/.exec(result.stdout)?.[1]);
    if (scanned !== ENTRIES) throw new Error(`the cleanup scanned ${scanned} entries, not ${ENTRIES}: ${result.stdout}`);
    process.stderr.write(`bench maintenance: ${result.stdout.trim()} (wall ${result.ms} ms); GET p99 idle ${p99(idle).toFixed(3)} ms (${idle.length}), during ${p99(during).toFixed(3)} ms (${during.length})\n`);
    return [
      { name: 'cleanup_entries_per_s', value: Math.round(ENTRIES / (result.ms / 1000)), unit: 'entries/s', goal: '>= 50000' },
      { name: 'cleanup_get_p99_ratio', value: round(p99(during) / p99(idle), 2), unit: 'ratio', goal: '<= 2' },
    ];
  } finally {
    await lab.dispose();
  }
}

if (require.main === module) {
  run().then((f) => console.log(JSON.stringify(f, null, 2)), (e) => {
    console.error(e);
    process.exitCode = 1;
  });
}
