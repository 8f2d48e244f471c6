import * as fs from 'fs';
import * as path from 'path';
import { END, README, START, withValuesTable } from '../scripts/docs';
import { parametersTable, valueDocs } from '../src/chart/values-docs';
import { PROJECT_ROOT } from '../src/render/assets';

const readme = fs.readFileSync(README, 'utf8');

describe('README.md', () => {
  test('its values table is the one generated from the schema (run `npm run docs` when this fails)', () => {
    const expected = withValuesTable(readme);
    if (expected !== readme) {
      const current = readme.slice(readme.indexOf(START), readme.indexOf(END)).split('\n');
      const fresh = expected.slice(expected.indexOf(START), expected.indexOf(END)).split('\n');
      const changed = [...fresh.filter((l) => !current.includes(l)).map((l) => `+ ${l}`), ...current.filter((l) => !fresh.includes(l)).map((l) => `- ${l}`)];
      throw new Error(`README.md values table is stale; run \`npm run docs\`. Changed rows:\n${changed.slice(0, 40).join('\n')}`);
    }
  });

  test('the values table lists every key of the schema', () => {
    const table = readme.slice(readme.indexOf(START), readme.indexOf(END));
    const missing = valueDocs().filter((d) => !d.isSection && !table.includes(`| \`${d.path}\` |`)).map((d) => d.path);
    expect(missing).toEqual([]);
  });

  test('regenerating replaces only the table, and a README without markers is an error', () => {
    const text = `intro\n${START}\nold table\n${END}\noutro\n`;
    expect(withValuesTable(text, '| t |\n')).toBe(`intro\n${START}\n<!-- Generated from src/config/schema.ts by \`npm run docs\`; edit the schema, not this table. -->\n\n| t |\n\n${END}\noutro\n`);
    expect(() => withValuesTable('no markers')).toThrow(/exactly one/);
    expect(parametersTable()).toMatch(/^\| Key \| Description \| Type \| Default \|/);
  });

  test('it gives the two set-up commands that .ci/run runs', () => {
    const ci = fs.readFileSync(path.join(PROJECT_ROOT, '.ci', 'run'), 'utf8');
    for (const command of ['npm ci && npm run synth', 'npm test']) {
      expect(readme).toContain(`\n${command}\n`);
      // .ci/run may add `|| exit 1`: set -e does not stop a script on a failing && list.
      expect(ci).toMatch(new RegExp(`\\n${command.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}( \\|\\| exit 1)?\\n`));
    }
  });

  test('every relative link points to a file of the repository', () => {
    const links = [...readme.matchAll(/\]\((?!https?:|#)([^)#\s]+)(#[^)]*)?\)/g)].map((m) => m[1]);
    expect(links).toEqual(expect.arrayContaining(['docs/architecture.md', 'docs/client-contract.md', 'docs/backup-restore.md']));
    const missing = links.filter((l) => !fs.existsSync(path.join(PROJECT_ROOT, l)));
    expect(missing).toEqual([]);
  });
});
