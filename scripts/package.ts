/**
 * `npm run package`: check and package the chart that `npm run synth` wrote.
 *  1. `helm lint --strict` with the chart defaults and with every values/<env>.yaml, on Helm 3 and Helm 4;
 *  2. `helm package` into .packages/ with the version of package.json, refused when that version was
 *     published with other content (src/chart/released-charts.json); `-- --release` records it;
 *  3. kubeconform -strict (Kubernetes schemas plus the CRDs catalog for Argo CD, Prometheus Operator…) over
 *     dist/<env>/ and argocd/ when kubeconform is on PATH; skipped with a note otherwise.
 * Prints one line per step; on failure the tool's own message and exit code 1, never a stack trace.
 */
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { HELM_MAJORS, HelmMajor, helmPath } from './helm';
import { RELEASES_FILE, chartDigest, chartDirFiles, releasedCharts, versionProblem } from '../src/chart/releases';

export const ROOT = path.resolve(__dirname, '..');
export const CHART = 'charts/session-database';
export const PACKAGES_DIR = '.packages';
export const KUBECONFORM_ARGS = [
  '-strict',
  '-summary',
  '-schema-location',
  'default',
  '-schema-location',
  'https://raw.githubusercontent.com/datreeio/CRDs-catalog/main/{{.Group}}/{{.ResourceKind}}_{{.ResourceAPIVersion}}.json',
];

export class StepError extends Error {}

export function packageVersion(root = ROOT): string {
  return JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8')).version;
}

export function environments(root = ROOT): string[] {
  return fs
    .readdirSync(path.join(root, 'values'))
    .filter((f) => f.endsWith('.yaml'))
    .map((f) => f.slice(0, -'.yaml'.length))
    .sort();
}

function run(command: string, args: string[], what: string): string {
  const r = spawnSync(command, args, { cwd: ROOT, encoding: 'utf8', timeout: 120_000, maxBuffer: 64 * 1024 * 1024 });
  if (r.error) throw new StepError(`${what}: could not run ${command}: ${r.error.message}`);
  if (r.status !== 0) throw new StepError(`${what} failed (exit ${r.status}):\n${(r.stdout + r.stderr).trim()}`);
  return r.stdout;
}

/** `helm lint --strict` of the chart with its defaults, then with each environment's values file. */
export function lint(major: HelmMajor, chart = CHART): string[] {
  const cases: [string, string[]][] = [['defaults', []], ...environments().map((e): [string, string[]] => [`values/${e}.yaml`, ['-f', `values/${e}.yaml`]])];
  return cases.map(([name, args]) => {
    run(helmPath(major), ['lint', '--strict', chart, ...args], `helm ${major} lint --strict ${chart} (${name})`);
    return `helm ${major} lint --strict (${name}): ok`;
  });
}

/** `helm package` with the version of package.json; returns the path of the .tgz. */
export function packageChart(outDir: string, major: HelmMajor = 3, chart = CHART): string {
  const version = packageVersion();
  fs.mkdirSync(outDir, { recursive: true });
  const out = run(helmPath(major), ['package', chart, '--version', version, '--destination', outDir], `helm ${major} package`);
  const match = out.match(/saved it to: (.+\.tgz)/);
  const tgz = match ? match[1].trim() : path.join(outDir, `${path.basename(chart)}-${version}.tgz`);
  if (!fs.existsSync(tgz)) throw new StepError(`helm ${major} package: no ${tgz} after packaging:\n${out}`);
  return tgz;
}

export function hasKubeconform(): boolean {
  return spawnSync('sh', ['-c', 'command -v kubeconform'], { stdio: 'ignore' }).status === 0;
}

/** kubeconform over the static manifests and the Argo CD objects. */
export function kubeconform(): string {
  const files = [...environments().map((e) => `dist/${e}`), 'argocd'].filter((d) => fs.existsSync(path.join(ROOT, d)));
  return run('kubeconform', [...KUBECONFORM_ARGS, ...files], 'kubeconform').trim();
}

function main(): number {
  try {
    const version = packageVersion();
    const chartYaml = fs.readFileSync(path.join(ROOT, CHART, 'Chart.yaml'), 'utf8');
    if (!new RegExp(`^version: ${version.replace(/\./g, '\\.')}$`, 'm').test(chartYaml)) {
      throw new StepError(`${CHART}/Chart.yaml does not have version ${version} of package.json; run \`npm run synth\` first`);
    }
    for (const major of HELM_MAJORS) for (const line of lint(major)) console.log(line);
    const tgz = packageChart(path.join(ROOT, PACKAGES_DIR));
    console.log(`helm package: ${path.relative(ROOT, tgz)}`);
    const digest = chartDigest(chartDirFiles(path.join(ROOT, CHART)));
    const released = releasedCharts();
    const problem = versionProblem(version, digest, released);
    if (problem) throw new StepError(problem);
    if (process.argv.includes('--release') && !released.some((r) => r.version === version)) {
      fs.writeFileSync(RELEASES_FILE, JSON.stringify([...released, { version, digest }], null, 2) + '\n');
      console.log(`release: recorded ${version} (${digest}) in ${path.relative(ROOT, RELEASES_FILE)}; commit it with the published package`);
    }
    if (hasKubeconform()) {
      console.log(`kubeconform: ${kubeconform()}`);
    } else {
      console.log('kubeconform: skipped (not on PATH; see README "Validate in your CI" to add it)');
    }
    return 0;
  } catch (e) {
    if (e instanceof StepError) {
      console.error(`package: ${e.message}`);
      return 1;
    }
    console.error(`package: ${(e as Error).message}`);
    return 2;
  }
}

if (require.main === module) process.exitCode = main();
