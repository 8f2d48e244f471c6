// Jest transform: TypeScript to CommonJS with esbuild (type checking is `tsc --noEmit` in `npm test`).
// esbuild is already the synth bundler, so tests need no second compiler toolchain.
const { transformSync } = require('esbuild');

module.exports = {
  process(source, filename) {
    const { code } = transformSync(source, {
      loader: filename.endsWith('.ts') ? 'ts' : 'js',
      format: 'cjs',
      target: 'node20',
      sourcemap: 'inline',
      sourcefile: filename,
    });
    return { code };
  },
};
