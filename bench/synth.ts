import { PROJECT_ROOT } from '../src/render/assets';
import { Figure, medianTime, round } from './figures';

/**
 * `npm run synth` (esbuild bundle + node) against `cdk8s synth` with the CLI's default
 * TypeScript app (ts-node), which writes the same output.
 */
export async function run(): Promise<Figure[]> {
  const synth = medianTime(5, 'npm', ['run', '-s', 'synth'], PROJECT_ROOT);
  const cli = medianTime(3, 'npx', ['cdk8s', 'synth', '--check-upgrade', 'false', '--app', 'npx ts-node src/main.ts'], PROJECT_ROOT);
  return [
    { name: 'synth_s', value: round(synth), unit: 's', goal: '<= 1' },
    { name: 'cdk8s_cli_synth_s', value: round(cli), unit: 's', goal: 'reference' },
    { name: 'synth_speedup', value: round(cli / synth, 2), unit: 'x', goal: '>= 4' },
  ];
}
