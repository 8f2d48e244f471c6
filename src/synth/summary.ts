import { COMPONENTS } from '../app';
import { SynthResult } from './outputs';

/** One line per environment: objects by kind; then what else was written. */
export function summary(result: SynthResult, ms: number): string {
  const lines: string[] = [];
  for (const { env, files } of result.rendered) {
    const kinds = new Map<string, number>();
    for (const object of [...files.values()].flat()) kinds.set(String(object.kind), (kinds.get(String(object.kind)) ?? 0) + 1);
    const byKind = [...kinds].sort().map(([k, n]) => `${n} ${k}`).join(', ');
    lines.push(`${env.name.padEnd(12)} redis ${env.config.redis.mode}: ${byKind}`);
    // A component is on when it wrote dist/<env>/<file>.yaml.
    const on = COMPONENTS.filter((c) => files.has(`dist/${env.name}/${c.file}.yaml`)).map((c) => c.file);
    const off = COMPONENTS.filter((c) => !on.includes(c.file)).map((c) => c.file);
    lines.push(`${''.padEnd(12)} components on: ${on.join(', ') || '(none)'}; off: ${off.join(', ') || '(none)'}`);
  }
  lines.push(`wrote ${result.ownedDirs.join(', ')} (${result.files.size} files) in ${ms.toFixed(0)} ms`);
  return lines.join('\n') + '\n';
}
