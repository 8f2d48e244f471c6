/**
 * `npm run bench`: every figure of the project, printed as a table and written to
 * bench-results.json ([{name, value, unit, goal}], not committed). Goals live here,
 * never in timed tests. `npm run bench -- synth helm` runs only those modules.
 */
import * as fs from 'fs';
import * as path from 'path';
import { PROJECT_ROOT } from '../src/render/assets';
import { Figure } from './figures';

const MODULES = ['synth', 'helm', 'redis', 'master-endpoint', 'maintenance', 'infinispan', 'cluster', 'node'] as const;

function meets(f: Figure): string {
  const m = /^(<=|>=|==)\s*([0-9.]+)$/.exec(f.goal);
  if (!m) return '';
  const goal = Number(m[2]);
  const ok = m[1] === '<=' ? f.value <= goal : m[1] === '>=' ? f.value >= goal : f.value === goal;
  return ok ? 'met' : 'MISSED';
}

async function main(): Promise<void> {
  const wanted = process.argv.slice(2);
  const figures: Figure[] = [];
  for (const name of MODULES) {
    if (wanted.length > 0 && !wanted.includes(name)) continue;
    const file = path.join(__dirname, `${name}.ts`);
    if (!fs.existsSync(file)) continue;
    process.stderr.write(`bench: ${name}…\n`);
    const module = await import(file);
    figures.push(...(await module.run()));
  }
  const rows = figures.map((f) => [f.name, String(f.value), f.unit, f.goal, meets(f)]);
  const header = ['name', 'value', 'unit', 'goal', ''];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (r: string[]) => r.map((c, i) => c.padEnd(widths[i])).join('  ').trimEnd();
  console.log([line(header), ...rows.map(line)].join('\n'));
  fs.writeFileSync(path.join(PROJECT_ROOT, 'bench-results.json'), JSON.stringify(figures, null, 2) + '\n');
}

main().catch((e) => {
  console.error(e);
  process.exitCode = 1;
});
