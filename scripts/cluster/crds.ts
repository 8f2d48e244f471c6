/**
 * The CustomResourceDefinitions of the operators our outputs target, read from each project's own Go
 * module at the pinned version (versions.ts CRD_SOURCES) in the Go module cache. Nothing is copied into
 * the repository.
 */
import * as fs from 'fs';
import * as path from 'path';
import * as YAML from 'yaml';
import { moduleDir } from './gomod';
import { CRD_SOURCES } from './versions';

export interface CrdFile {
  source: string;
  file: string;
  /** CRD names (plural.group) in the file. */
  names: string[];
}

/** The files of the selected CRDs of every pinned source; fails when a selected CRD is missing. */
export function crdFiles(): CrdFile[] {
  const files: CrdFile[] = [];
  for (const source of CRD_SOURCES) {
    const dir = path.join(moduleDir(source.module, source.version), source.dir);
    for (const name of fs.readdirSync(dir).sort()) {
      if (!/\.ya?ml$/.test(name)) continue;
      const file = path.join(dir, name);
      const names = YAML.parseAllDocuments(fs.readFileSync(file, 'utf8'))
        .map((d) => d.toJS() as { kind?: string; metadata?: { name?: string } } | null)
        .filter((o) => o?.kind === 'CustomResourceDefinition')
        .map((o) => o!.metadata!.name!);
      if (names.some((n) => (source.crds as readonly string[]).includes(n))) files.push({ source: `${source.module}@${source.version}`, file, names });
    }
    const found = files.flatMap((f) => f.names);
    const missing = source.crds.filter((n) => !found.includes(n));
    if (missing.length) throw new Error(`${source.module}@${source.version}/${source.dir} has no CRD ${missing.join(', ')}`);
  }
  return files;
}
