import { ConfigError } from './config/load';
import { PROJECT_ROOT } from './render/assets';
import { synthesize, writeOutputs } from './synth/outputs';
import { summary } from './synth/summary';

/** `npm run synth [env...]` and `cdk8s synth`: validate every env, then write dist/, the chart and argocd/. */
function main(argv: string[]): number {
  const started = process.hrtime.bigint();
  try {
    const result = synthesize(PROJECT_ROOT, argv);
    writeOutputs(PROJECT_ROOT, result);
    const ms = Number(process.hrtime.bigint() - started) / 1e6;
    process.stdout.write(summary(result, ms));
    return 0;
  } catch (e) {
    if (e instanceof ConfigError) {
      process.stderr.write(`synth: invalid configuration, nothing was written:\n${e.problems.map((p) => `  ${p}`).join('\n')}\n`);
      return 1;
    }
    process.stderr.write(`synth: ${(e as Error).message}\n`);
    return 2;
  }
}

process.exitCode = main(process.argv.slice(2));
