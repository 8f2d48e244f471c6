// `npm run synth`: bundle src/ with esbuild (milliseconds, no type check: `npm test` runs tsc)
// and run the bundle in the same process. `--build-only` just writes lib/main.js.
const path = require('path');
const esbuild = require('esbuild');

// The checkout npm runs the script in (scripts/ may be a symlink into another checkout).
const root = process.cwd();
esbuild.buildSync({
  entryPoints: [path.join(root, 'src', 'main.ts')],
  outfile: path.join(root, 'lib', 'main.js'),
  bundle: true,
  platform: 'node',
  target: 'node20',
  packages: 'external',
  logLevel: 'warning',
});
if (!process.argv.includes('--build-only')) {
  process.argv.splice(1, 1, path.join(root, 'lib', 'main.js'));
  require(path.join(root, 'lib', 'main.js'));
}
