/**
 * `npm run docs`: rewrite the generated parts of README.md (the values table between
 * `<!-- values-table:start -->` and `<!-- values-table:end -->`) from src/config/schema.ts.
 * test/readme.test.ts fails while README.md differs from what this writes.
 */
import * as fs from 'fs';
import * as path from 'path';
import { parametersTable } from '../src/chart/values-docs';

export const README = path.resolve(__dirname, '..', 'README.md');
export const START = '<!-- values-table:start -->';
export const END = '<!-- values-table:end -->';

/** The README text with the values table regenerated; throws when the markers are missing or out of order. */
export function withValuesTable(readme: string, table = parametersTable()): string {
  const start = readme.indexOf(START);
  const end = readme.indexOf(END);
  if (start < 0 || end < 0 || end < start || readme.indexOf(START, start + 1) >= 0 || readme.indexOf(END, end + 1) >= 0) {
    throw new Error(`README.md must hold exactly one ${START} … ${END} pair, in that order`);
  }
  const notice = '<!-- Generated from src/config/schema.ts by `npm run docs`; edit the schema, not this table. -->';
  return `${readme.slice(0, start)}${START}\n${notice}\n\n${table}\n${readme.slice(end)}`;
}

if (require.main === module) {
  try {
    const before = fs.readFileSync(README, 'utf8');
    const after = withValuesTable(before);
    if (after === before) {
      console.log('README.md: values table up to date');
    } else {
      fs.writeFileSync(README, after);
      console.log('README.md: values table rewritten from src/config/schema.ts');
    }
  } catch (e) {
    console.error(`docs: ${(e as Error).message}`);
    process.exitCode = 1;
  }
}
