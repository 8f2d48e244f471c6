/**
 * Process control of the live tests: programs run to completion with a time bound (`run`), long-running
 * servers started in their own process group under `timeout -s KILL` (`startInGroup`), and a hook that kills
 * every group still alive when the worker exits, so nothing a test starts outlives it. Plus the small
 * waiting helpers every live test uses (`sleep`, `within`, `waitFor`).
 */
import { ChildProcess, execFile, spawn } from 'child_process';
import * as fs from 'fs';

export interface RunResult {
  code: number | null;
  stdout: string;
  stderr: string;
  ms: number;
}

/** Process groups started by startInGroup that have not exited yet. */
const liveGroups = new Set<number>();
let exitHookInstalled = false;
function installExitHook() {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.on('exit', () => {
    for (const pid of liveGroups) killGroup(pid, 'SIGKILL');
  });
  // Outside jest (bench, scripts) an interrupted run must not leave servers behind either.
  if (process.env.JEST_WORKER_ID === undefined) {
    for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
      process.once(signal, () => {
        for (const pid of liveGroups) killGroup(pid, 'SIGKILL');
        process.exit(128 + (signal === 'SIGINT' ? 2 : signal === 'SIGTERM' ? 15 : 1));
      });
    }
  }
}

/** Signal a process group (or the lone process when it has no group); false when it is already gone. */
export function killGroup(pid: number, signal: NodeJS.Signals): boolean {
  try {
    process.kill(-pid, signal);
    return true;
  } catch {
    try {
      process.kill(pid, signal);
      return true;
    } catch {
      return false;
    }
  }
}

export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** Whether the promise settles within ms (the timer never outlives the call). */
export async function within(p: Promise<unknown>, ms: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<boolean>((r) => (timer = setTimeout(() => r(false), ms)));
  try {
    return await Promise.race([p.then(() => true), timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/** Poll until fn returns a truthy value; throws with the last value/error after timeoutMs. */
export async function waitFor<T>(
  what: string,
  fn: () => Promise<T> | T,
  timeoutMs = 20000,
  intervalMs = 100,
): Promise<NonNullable<T>> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const v = await fn();
      if (v) return v as NonNullable<T>;
      last = v;
    } catch (e) {
      last = e;
    }
    if (Date.now() > deadline) {
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}; last: ${last instanceof Error ? last.message : JSON.stringify(last)}`);
    }
    await sleep(intervalMs);
  }
}

/** Run a program, bounded in time, never throwing. */
export function run(file: string, args: string[], opts: { env?: Record<string, string>; timeoutMs?: number; cwd?: string; input?: string } = {}): Promise<RunResult> {
  const started = Date.now();
  return new Promise((resolve) => {
    const child = execFile(
      file,
      args,
      { env: opts.env ?? (process.env as Record<string, string>), timeout: opts.timeoutMs ?? 10000, killSignal: 'SIGKILL', cwd: opts.cwd, maxBuffer: 64 * 1024 * 1024, encoding: 'utf8' },
      (err, stdout, stderr) => {
        const code = err ? (typeof (err as any).code === 'number' ? (err as any).code : null) : 0;
        resolve({ code, stdout: String(stdout), stderr: String(stderr), ms: Date.now() - started });
      },
    );
    if (opts.input !== undefined) child.stdin?.end(opts.input);
  });
}


export interface GroupProcess {
  readonly proc: ChildProcess;
  /** Resolves with the exit code once the process is gone (and whatever it left in its group is killed). */
  readonly exited: Promise<number | null>;
}

/**
 * Start a long-running command in its own process group under `timeout -s KILL <maxLifetimeSeconds>`,
 * appending stdout and stderr to logFile. When it exits, whatever it left in its group is killed too.
 */
export function startInGroup(command: string[], opts: { env: Record<string, string>; cwd: string; logFile: string; maxLifetimeSeconds: number }): GroupProcess {
  installExitHook();
  const log = fs.openSync(opts.logFile, 'a');
  fs.writeSync(log, `--- start ${new Date().toISOString()} ${command.join(' ')}\n`);
  const proc = spawn('timeout', ['-s', 'KILL', String(opts.maxLifetimeSeconds), ...command], {
    env: opts.env,
    cwd: opts.cwd,
    detached: true,
    stdio: ['ignore', log, log],
  });
  fs.closeSync(log);
  const pid = proc.pid!;
  liveGroups.add(pid);
  const exited = new Promise<number | null>((resolve) => {
    proc.on('exit', (code) => {
      liveGroups.delete(pid);
      // The container is gone: kill whatever the script left in its group.
      killGroup(pid, 'SIGKILL');
      resolve(code);
    });
  });
  return { proc, exited };
}
