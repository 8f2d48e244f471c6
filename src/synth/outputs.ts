import * as fs from 'fs';
import * as path from 'path';
import { render } from '../app';
import { ARGOCD_DIR, argocdFiles } from '../argocd/applications';
import { CHART_DIR, chartFiles } from '../chart/chart-files';
import { ConfigError, Environment, listEnvironments, loadEnvironment } from '../config/load';
import { defaultConfig } from '../config/schema';
import { PROJECT_ROOT } from '../render/assets';
import { RenderContext, ReleaseInfo } from '../render/context';
import { staticDocuments } from '../render/emit';
import { CLIENT_CONFIG_MAP_SUFFIX } from '../components/client/contract';
import { DOTENV_FILE, clientDotenv } from '../components/client/dotenv';

/** The release that dist/ stands for: `helm install session-database -n <namespace>`. */
export function releaseInfo(root = PROJECT_ROOT): ReleaseInfo {
  const pkg = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8'));
  return { releaseName: 'session-database', chartVersion: pkg.version, appVersion: defaultConfig().redis.image.tag, managedBy: 'cdk8s' };
}

/** A Kubernetes object of dist/, as rendered. */
export type ManifestObject = Record<string, unknown> & { readonly kind?: string };

/** The objects of one environment, by the dist/ file they go to. */
export interface RenderedEnvironment {
  readonly env: Environment;
  /** dist/<env>/<component>.yaml → its objects (components with no objects write no file). */
  readonly files: ReadonlyMap<string, readonly ManifestObject[]>;
}

export function renderEnvironment(env: Environment, release: ReleaseInfo): RenderedEnvironment {
  const ctx = RenderContext.forEnvironment(env.config, release);
  const files = new Map<string, ManifestObject[]>();
  for (const { file, objects } of render(ctx)) files.set(`dist/${env.name}/${file}.yaml`, objects.map((o) => o.object));
  return { env, files };
}

/** dist/<env>/client.env.example: the client contract ConfigMap of the environment as a dotenv file. */
function environmentDotenv(env: RenderedEnvironment): string {
  const objects = env.files.get(`dist/${env.env.name}/client.yaml`) ?? [];
  const configMap = objects.find((o) => o.kind === 'ConfigMap' && String((o.metadata as { name: string }).name).endsWith(`-${CLIENT_CONFIG_MAP_SUFFIX}`));
  if (!configMap) throw new Error(`dist/${env.env.name}/client.yaml has no client contract ConfigMap`);
  return clientDotenv(configMap.data as Record<string, string>, String((configMap.metadata as { namespace: string }).namespace));
}

/** dist/<env>/<component>.yaml for one environment. */
export function environmentFiles(env: Environment | RenderedEnvironment, release: ReleaseInfo): Map<string, string> {
  const rendered = 'files' in env ? env : renderEnvironment(env, release);
  const files = new Map<string, string>();
  for (const [file, objects] of rendered.files) {
    const text = staticDocuments(objects);
    if (text.includes('__SDT')) throw new Error(`${file}: an unresolved chart token leaked into static output`);
    files.set(file, text);
  }
  return files;
}

export interface SynthResult {
  readonly environments: readonly Environment[];
  /** The objects behind dist/, for the summary and argocd/. */
  readonly rendered: readonly RenderedEnvironment[];
  /** Path relative to the project root → content. */
  readonly files: Map<string, string>;
  /** Directories the result replaces whole. */
  readonly ownedDirs: readonly string[];
}

/** Everything `npm run synth` writes, in memory. Throws ConfigError listing every problem of every env. */
export function synthesize(root = PROJECT_ROOT, only: readonly string[] = []): SynthResult {
  const valuesDir = path.join(root, 'values');
  const names = only.length > 0 ? [...only] : listEnvironments(valuesDir);
  if (names.length === 0) throw new ConfigError(['values/: no environment files (values/<env>.yaml); add values/dev.yaml']);
  const problems: string[] = [];
  const environments: Environment[] = [];
  for (const name of names) {
    try {
      environments.push(loadEnvironment(valuesDir, name, 'values'));
    } catch (e) {
      if (!(e instanceof ConfigError)) throw e;
      problems.push(...e.problems);
    }
  }
  if (problems.length > 0) throw new ConfigError(problems);

  const release = releaseInfo(root);
  const files = new Map<string, string>();
  const rendered = environments.map((env) => renderEnvironment(env, release));
  for (const env of rendered) {
    for (const [file, text] of environmentFiles(env, release)) files.set(file, text);
    files.set(`dist/${env.env.name}/${DOTENV_FILE}`, environmentDotenv(env));
  }
  for (const [file, text] of chartFiles(release)) files.set(`${CHART_DIR}/${file}`, text);
  // argocd/ lists every environment, so only a full synth rewrites it.
  if (only.length === 0) for (const [file, text] of argocdFiles(rendered, release)) files.set(file, text);
  const ownedDirs = [
    ...(only.length > 0 ? environments.map((e) => `dist/${e.name}`) : ['dist']),
    CHART_DIR,
    ...(only.length === 0 ? [ARGOCD_DIR] : []),
  ];
  return { environments, rendered, files, ownedDirs };
}

/**
 * Write the result so that a reader sees the old outputs or the new ones, never a mix:
 * everything is staged in a temp dir first and each owned dir is swapped by rename.
 */
export function writeOutputs(root: string, result: SynthResult): void {
  const stage = fs.mkdtempSync(path.join(root, '.synth-tmp-'));
  try {
    for (const [file, text] of result.files) {
      const target = path.join(stage, file);
      fs.mkdirSync(path.dirname(target), { recursive: true });
      fs.writeFileSync(target, text);
    }
    for (const dir of result.ownedDirs) {
      const staged = path.join(stage, dir);
      const live = path.join(root, dir);
      const old = path.join(stage, '.old', dir);
      fs.mkdirSync(path.dirname(live), { recursive: true });
      fs.mkdirSync(path.dirname(old), { recursive: true });
      if (!fs.existsSync(staged)) fs.mkdirSync(staged, { recursive: true });
      if (fs.existsSync(live)) fs.renameSync(live, old);
      fs.renameSync(staged, live);
    }
  } finally {
    fs.rmSync(stage, { recursive: true, force: true });
  }
}
