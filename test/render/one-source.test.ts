import * as fs from 'fs';
import * as path from 'path';
import { PROJECT_ROOT } from '../../src/render/assets';

/**
 * Go is written in two reviewed places only: src/config/expr.ts (expressions compiled to Go) and
 * src/render/helm-only.ts (lookup and random values). Components describe objects with values and
 * predicates; if one wrote Go, dist/ and the chart could disagree without any test noticing.
 */
function sources(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const full = path.join(dir, e.name);
    return e.isDirectory() ? sources(full) : e.name.endsWith('.ts') ? [full] : [];
  });
}

const GO = /\.Values\.|\.Release\.|\{\{|include "|\| toJson|\| quote/;
const components = sources(path.join(PROJECT_ROOT, 'src', 'components'));

describe('one source for both outputs', () => {
  test.each(components.map((f) => path.relative(PROJECT_ROOT, f)))('%s writes no Go template code', (file) => {
    const lines = fs.readFileSync(path.join(PROJECT_ROOT, file), 'utf8').split('\n');
    const go = lines.map((line, i) => `${i + 1}: ${line.trim()}`).filter((line) => GO.test(line) && !/^\d+: (\*|\/\/|\/\*)/.test(line));
    expect(go).toEqual([]);
  });

  test('only src/render/helm-only.ts asks for a Helm-only value', () => {
    const callers = sources(path.join(PROJECT_ROOT, 'src'))
      .filter((f) => /\.helmOnly\(/.test(fs.readFileSync(f, 'utf8')))
      .map((f) => path.relative(PROJECT_ROOT, f));
    expect(callers).toEqual(['src/render/helm-only.ts']);
  });
});
