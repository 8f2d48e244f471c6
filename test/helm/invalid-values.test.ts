import { HELM_MAJORS } from '../../scripts/helm';
import { brokenRules, ruleMessage } from '../../src/config/rules';
import { configSchema } from '../../src/config/schema';
import { BadInputCase, FILE, cases, withBase } from '../config/bad-input-cases';
import { helm, helmTemplate, CHART } from '../support/helm';

/** The key a loader message is about: "values/x.yaml: <key> is ...". */
function keyOf(c: BadInputCase): string {
  const message = typeof c.message === 'string' ? c.message : c.message.source.replace(/\\/g, '');
  return message.slice(FILE.length + 2).split(' ')[0];
}

/** The cross-key rule messages these values break (the chart's `fail` prints them). */
function ruleMessages(values: unknown): string[] {
  const parsed = configSchema.safeParse(values);
  return parsed.success ? brokenRules(parsed.data).map((r) => ruleMessage(r, parsed.data)) : [];
}

describe.each(HELM_MAJORS)('Helm %i refuses the bad-input table', (major) => {
  test.each(cases)('$name', (c) => {
    const values = withBase(c.values);
    const result = helmTemplate(major, values);
    expect(result.status).not.toBe(0);
    const rules = ruleMessages(values);
    if (rules.length > 0) {
      // Cross-key checks: the same words as the TypeScript loader.
      for (const message of rules) expect(result.stderr).toContain(`values: ${message}`);
    } else if (c.helm) {
      expect(result.stderr).toMatch(c.helm);
    } else {
      // Schema checks: Helm's JSON Schema error names the key (Helm 3: a.b.c, Helm 4: /a/b/c).
      const key = keyOf(c).split('.');
      const leaf = key[key.length - 1];
      const parent = key.slice(0, -1);
      expect(result.stderr).toContain("values don't meet the specifications of the schema");
      expect(result.stderr).toContain(leaf);
      if (parent.length > 0) expect(result.stderr).toMatch(new RegExp(`${parent.join('\\.')}|/${parent.join('/')}`));
    }
  });

  test('an unknown values file is refused', () => {
    const result = helm(major, ['template', 'session-database', CHART, '-f', 'values/staging.yaml']);
    expect(result.status).not.toBe(0);
    expect(result.stderr).toContain('values/staging.yaml');
  });
});
