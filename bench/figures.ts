import { spawnSync } from 'child_process';

/** One line of bench-results.json. `goal` is human-readable, e.g. "<= 1", ">= 4". */
export interface Figure {
  readonly name: string;
  readonly value: number;
  readonly unit: string;
  readonly goal: string;
}

export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

/** Wall time of a command in seconds (fails loudly when the command fails). */
export function timeCommand(command: string, args: string[], cwd: string, env: NodeJS.ProcessEnv = process.env): number {
  const started = process.hrtime.bigint();
  const r = spawnSync(command, args, { cwd, env, encoding: 'utf8' });
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  if (r.status !== 0) throw new Error(`${command} ${args.join(' ')} failed (${r.status}):\n${r.stderr}${r.stdout}`);
  return seconds;
}

/** Median wall time of `runs` runs after one warm-up. */
export function medianTime(runs: number, command: string, args: string[], cwd: string): number {
  timeCommand(command, args, cwd);
  return median(Array.from({ length: runs }, () => timeCommand(command, args, cwd)));
}

export const round = (x: number, digits = 3) => Number(x.toFixed(digits));

