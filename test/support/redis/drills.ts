/**
 * Drills on a running topology: an AckedWriter that counts only writes a replica acknowledged (SET plus
 * WAIT on one connection), and failoverDrill, which kills (or hands over) the master under that load and
 * measures the time to the first acknowledged write on the new master and the acknowledged writes lost.
 */
import Redis from 'ioredis';
import { RedisCluster } from './cluster';
import { Pod } from './pods';
import { RunResult, sleep, waitFor, within } from './processes';

/**
 * Writes numbered session keys one after another; a key counts as acknowledged only
 * when SET and `WAIT 1 <ms>` (sent together on one connection) both succeed and WAIT
 * reports at least one replica. Commands are never resent on another connection, so a
 * WAIT can never vouch for a SET that went to a different server.
 */
export class AckedWriter {
  readonly acked: number[] = [];
  readonly ackTimes: number[] = [];
  readonly errors: string[] = [];
  /** Client-level errors, and the last one before each time the client had given up. */
  readonly clientErrors: string[] = [];
  readonly restarts: string[] = [];
  next = 0;
  private running = false;
  private loop?: Promise<void>;

  constructor(
    private readonly client: Redis,
    readonly prefix = `session:drill:${Date.now()}:`,
    private readonly waitMs = 1000,
    private readonly pauseMs = 2,
  ) {}

  private onClose?: () => void;

  start(): this {
    this.running = true;
    this.client.on('close', () => this.onClose?.());
    this.client.on('error', (e: Error) => this.clientErrors.push(e.message));
    this.loop = (async () => {
      while (this.running) {
        // ioredis gives up ("end") when its sentinel connector fails in certain ways; an
        // application would connect again, and so does this writer.
        if (this.client.status === 'end') {
          this.restarts.push(this.clientErrors.at(-1) ?? 'unknown');
          await this.client.connect().catch(() => undefined);
        }
        const n = this.next++;
        try {
          // A command that ioredis drops on a reconnect never settles: give up on it after a bound.
          const exec = this.client.pipeline().set(`${this.prefix}${n}`, String(n)).wait(1, this.waitMs).exec();
          const reply: { res?: Awaited<typeof exec> } = {};
          // ioredis drops (never settles) the commands of a closed connection when it must not resend them.
          const closed = new Promise<void>((r) => (this.onClose = r));
          const replied = exec.then((r) => (reply.res = r));
          if (!(await within(Promise.race([replied, closed]), this.waitMs + 2000)) || !reply.res) throw new Error('no reply');
          const res = reply.res;
          const [setRes, waitRes] = res ?? [];
          if (!setRes?.[0] && setRes?.[1] === 'OK' && !waitRes?.[0] && Number(waitRes?.[1]) >= 1) {
            this.acked.push(n);
            this.ackTimes.push(Date.now());
          } else {
            this.errors.push(String(setRes?.[0] ?? waitRes?.[0] ?? `WAIT ${waitRes?.[1]}`));
            await sleep(10);
          }
        } catch (e) {
          this.errors.push(String((e as Error).message));
          await sleep(10);
        }
        if (this.pauseMs) await sleep(this.pauseMs);
      }
    })();
    return this;
  }

  async stop(): Promise<void> {
    this.running = false;
    await this.loop;
  }

  /** Wait for `count` more acknowledgements than now. */
  async waitAcks(count: number, timeoutMs = 20000): Promise<void> {
    const target = this.acked.length + count;
    await waitFor(`${count} acknowledged writes`, () => this.acked.length >= target, timeoutMs, 20);
  }

  /** Time of the first acknowledgement of a write issued at or after sequence number n. */
  firstAckFrom(n: number): number | undefined {
    const i = this.acked.findIndex((k) => k >= n);
    return i < 0 ? undefined : this.ackTimes[i];
  }

  /** Acknowledged keys that a pod does not hold (read directly from that pod). */
  async missingOn(cluster: RedisCluster, pod: Pod): Promise<number[]> {
    const c = cluster.direct(pod, 'app');
    try {
      const missing: number[] = [];
      for (let i = 0; i < this.acked.length; i += 1000) {
        const batch = this.acked.slice(i, i + 1000);
        const values = await c.mget(...batch.map((n) => `${this.prefix}${n}`));
        batch.forEach((n, k) => values[k] !== String(n) && missing.push(n));
      }
      return missing;
    } finally {
      c.disconnect();
    }
  }
}

export interface DrillResult {
  /** Seconds from SIGKILL (or preStop start) to the first acknowledged write after it. */
  seconds: number;
  acked: number;
  lost: number;
  oldMaster: Pod;
  newMaster: Pod;
  /** Longest time between two consecutive acknowledgements. */
  maxGapSeconds: number;
  preStop?: RunResult;
  writer: AckedWriter;
}

/**
 * Failover drill: numbered acknowledged writes through a Sentinel-aware client, SIGKILL
 * the master, measure until the first acknowledged write on the new master, check that
 * every acknowledged key is on the new master, restart the old master with its own
 * start script and wait until it is a replica again holding every acknowledged key.
 */
export async function failoverDrill(cluster: RedisCluster, opts: { mode?: 'kill' | 'crash-restart' | 'handover'; waitMs?: number } = {}): Promise<DrillResult> {
  const oldMaster = await cluster.waitSettled(60000, 'a settled topology before the drill');
  // Never resend a command on another connection (a resent WAIT would vouch for nothing).
  const client = cluster.client('app', { autoResendUnfulfilledCommands: false });
  const writer = new AckedWriter(client, undefined, opts.waitMs ?? 1000).start();
  let preStop: RunResult | undefined;
  try {
    await writer.waitAcks(100);
    const from = writer.next;
    const t0 = Date.now();
    if (opts.mode === 'handover') {
      preStop = await cluster.preStop(oldMaster);
      await cluster.stop(oldMaster, 'SIGTERM');
    } else {
      await cluster.kill(oldMaster);
      // crash-restart: the kubelet restarts the container at once, before any failover.
      if (opts.mode === 'crash-restart') cluster.start(oldMaster);
    }
    await waitFor('the first acknowledged write after the master went away', () => writer.firstAckFrom(from), 60000, 20).catch((e) => {
      throw new Error(`${e.message}; client status ${client.status}; last write errors: ${[...new Set(writer.errors.slice(-20))].join(' | ')}`);
    });
    const seconds = (writer.firstAckFrom(from)! - t0) / 1000;
    await writer.waitAcks(100);
    await writer.stop();
    const gaps = writer.ackTimes.slice(1).map((t, i) => t - writer.ackTimes[i]);
    const maxGapSeconds = Math.max(0, ...gaps) / 1000;
    const masters = await waitFor('one new master', async () => {
      const m = await cluster.masters();
      return m.length === 1 && m[0] !== oldMaster ? m : undefined;
    });
    const newMaster = masters[0];
    const lost = (await writer.missingOn(cluster, newMaster)).length;
    if (!cluster.running(oldMaster)) cluster.start(oldMaster);
    await cluster.waitSettled(60000, `${oldMaster.name} to rejoin as a replica`);
    return { seconds, acked: writer.acked.length, lost, oldMaster, newMaster, preStop, maxGapSeconds, writer };
  } finally {
    await writer.stop();
    client.disconnect();
  }
}
