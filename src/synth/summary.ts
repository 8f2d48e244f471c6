import * as YAML from 'yaml';
import { SynthResult } from './outputs';

/** One line per environment: objects by kind; then what else was written. */
export function summary(result: SynthResult, ms: number): string {
  const lines: string[] = [];
  for (const env of result.environments) {
    const kinds = new Map<string, number>();
    for (const [file, text] of result.files) {
      if (!file.startsWith(`dist/${env.name}/`)) continue;
      for (const doc of YAML.parseAllDocuments(text)) {
        const kind = (doc.toJS() as { kind?: string })?.kind;
        if (kind) kinds.set(kind, (kinds.get(kind) ?? 0) + 1);
      }
    }
    const byKind = [...kinds].sort().map(([k, n]) => `${n} ${k}`).join(', ');
    lines.push(`${env.name.padEnd(12)} redis ${env.config.redis.mode}: ${byKind}`);
  }
  lines.push(`wrote ${result.ownedDirs.join(', ')} (${result.files.size} files) in ${ms.toFixed(0)} ms`);
  return lines.join('\n') + '\n';
}
