import { ConfigError } from './config/load';
import { PROJECT_ROOT } from './render/assets';
import { synthesize, writeOutputs } from './synth/outputs';
import { summary } from './synth/summary';

/** `npm run synth [env...]` and `cdk8s synth`: validate every env, then write dist/, the chart and argocd/. */
function main(argv: string[]): number {
  const started = process.hrtime.bigint();
  // Another checkout's values/ and outputs (the project's own runtime files are still read from here).
  const root = process.env.SESSION_DATABASE_ROOT || PROJECT_ROOT;
  try {
    const result = synthesize(root, argv);
    writeOutputs(root, result);
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
