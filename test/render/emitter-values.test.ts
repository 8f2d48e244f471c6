import fc from 'fast-check';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import * as YAML from 'yaml';
import { HELM_MAJORS } from '../../scripts/helm';
import { NOT_TEXT } from '../../src/config/types';
import { Token } from '../../src/render/context';
import { chartDocuments } from '../../src/render/emit';
import { helm } from '../support/helm';

/**
 * The emitter embeds any value the schema lets through as free text: real Helm renders each
 * string inside a block literal (a config file), mid-line, at the start of a line, at the end of
 * the text, inside a quoted scalar and as a whole value, and every one must equal the string put
 * there directly (what dist/ holds).
 */

const nasty = fc.constantFrom(
  '{{', '}}', '{{ .Values.x }}', '{{- end }}', '"', "'", ':', ': ', '#', ' #', ' ', '  ', '\t', '\n', '\n\n', '\n  ',
  '- ', '|', '>', '\\', '\\n', '%', '%s', '---', '...', '&anchor', '*alias', '!tag', '@@redis.replicas@@', '__SDT0__',
  'é', '日本語', '😀', 'null', 'true', '0x1F', '1e3', '', '\u00a0', '\ufeff', '\u200b',
);
const ascii = fc.string({ unit: 'grapheme-ascii', maxLength: 12 });
/** Strings built from the characters YAML and Go templates care about (no control characters but \n and \t). */
const freeText = fc.oneof(
  { weight: 6, arbitrary: fc.array(fc.oneof(nasty, ascii), { maxLength: 14 }).map((parts) => parts.join('')) },
  { weight: 1, arbitrary: fc.string({ unit: 'grapheme', minLength: 2000, maxLength: 6000 }).map((s) => s.replace(new RegExp(NOT_TEXT, 'g'), '\n')) },
  { weight: 1, arbitrary: fc.constantFrom('', '\n', '\n\n\n', ' leading', '  \n  x  \n', 'trailing\n\n') },
);

/** Where a value lands in the objects: `__V__` stands for the value's token. */
const PLACES: Record<string, string> = {
  block: 'first line\n  indented __V__ mid-line\n__V__\nlast line\n',
  blockStart: '__V__ starts the block\nand goes on\n',
  blockKeep: 'kept\n__V__\n\n',
  blockNoFinalBreak: 'a\n__V__\nz',
  blockEndsInValue: 'a\n__V__',
  quoted: 'before __V__ after',
  whole: '__V__',
};

const SAMPLES = 12;

function chartFor(count: number): { template: string; tokens: Token[] } {
  const tokens: Token[] = Array.from({ length: count }, (_, i) => ({ kind: 'expr', expr: `.Values.s${i}`, yieldsJson: false, multiline: true }));
  const data: Record<string, string> = {};
  for (let i = 0; i < count; i++) {
    for (const [place, text] of Object.entries(PLACES)) data[`${place}-${i}`] = text.replace(/__V__/g, `__SDT${i}__`);
  }
  const object = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'values' }, data };
  return { template: chartDocuments([{ object, conditions: [] }], tokens), tokens };
}

describe.each(HELM_MAJORS)('values embedded by the chart emitter (Helm %i)', (major) => {
  const chart = fs.mkdtempSync(path.join(os.tmpdir(), 'sd-emitter-values-'));
  fs.mkdirSync(path.join(chart, 'templates'));
  fs.writeFileSync(path.join(chart, 'Chart.yaml'), 'apiVersion: v2\nname: emitter-values\nversion: 0.1.0\n');
  fs.writeFileSync(path.join(chart, 'templates', 'values.yaml'), chartFor(SAMPLES).template);
  afterAll(() => fs.rmSync(chart, { recursive: true, force: true }));

  test('render each string exactly, wherever it is embedded', () => {
    fc.assert(
      fc.property(fc.array(freeText, { minLength: SAMPLES, maxLength: SAMPLES }), (strings) => {
        const values = Object.fromEntries(strings.map((s, i) => [`s${i}`, s]));
        // JSON is YAML with every string quoted and non-ASCII text left as UTF-8 (the yaml package
        // would escape astral characters as \u surrogate pairs, which Go's YAML reader decodes to U+FFFD).
        fs.writeFileSync(path.join(chart, 'values.yaml'), JSON.stringify(values));
        const r = helm(major, ['template', 'r', chart]);
        expect(r.stderr).toBe('');
        const data = YAML.parse(r.stdout).data as Record<string, string>;
        strings.forEach((s, i) => {
          for (const [place, text] of Object.entries(PLACES)) {
            expect({ place, rendered: data[`${place}-${i}`] }).toEqual({ place, rendered: text.replace(/__V__/g, () => s) });
          }
        });
      }),
      { numRuns: 15, seed: 20261202 + major, endOnFailure: true },
    );
  });
});
