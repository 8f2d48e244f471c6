import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';

/** The Go module cache folder of a module version, downloading it with the Go toolchain if needed. */
export function moduleDir(module: string, version: string): string {
  let out: string;
  try {
    // Outside any module: the project's own go.mod files must not influence the download.
    out = execFileSync('go', ['mod', 'download', '-json', `${module}@${version}`], { encoding: 'utf8', cwd: os.tmpdir() });
  } catch (err) {
    out = String((err as { stdout?: string }).stdout ?? '');
    if (!out) throw err;
  }
  const info = JSON.parse(out) as { Dir?: string; Error?: string };
  if (!info.Dir || !fs.existsSync(info.Dir)) throw new Error(`go mod download ${module}@${version}: ${info.Error ?? 'no module folder'}`);
  return info.Dir;
}

/** The module's publish time, from the Go module cache's .info file. */
export function moduleTime(module: string, version: string): string {
  const out = execFileSync('go', ['mod', 'download', '-json', `${module}@${version}`], { encoding: 'utf8', cwd: os.tmpdir() });
  const info = JSON.parse(out) as { Info: string };
  return (JSON.parse(fs.readFileSync(info.Info, 'utf8')) as { Time: string }).Time;
}
