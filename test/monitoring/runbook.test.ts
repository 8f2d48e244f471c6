import * as fs from 'fs';
import * as path from 'path';
import { ALERT_NAMES } from '../../src/config/sections/monitoring';
import { STANDALONE, YAML, allRules, operatorRules, renderValues, sentinelValues, standaloneRuleFile } from './support';

const RUNBOOK = path.join(__dirname, '../../docs/runbook.md');
const DEFAULT_URL = 'https://github.com/example-org/session-database/blob/main/docs/runbook.md';

/** The anchor GitHub gives a Markdown heading: lower case, punctuation dropped, spaces to dashes. */
export function headingAnchor(heading: string): string {
  return heading.trim().toLowerCase().replace(/[^\p{L}\p{N}\s_-]/gu, '').replace(/\s/g, '-');
}

function runbookAnchors(markdown: string): Map<string, string> {
  const anchors = new Map<string, string>();
  let fenced = false;
  for (const line of markdown.split('\n')) {
    if (line.startsWith('```')) fenced = !fenced;
    const m = /^#{1,6}\s+(.*)$/.exec(line);
    if (m && !fenced) anchors.set(headingAnchor(m[1]), m[1]);
  }
  return anchors;
}

function alertsWithUrls(groups: ReturnType<typeof operatorRules>) {
  return allRules(groups).filter((r) => r.alert).map((r) => ({ alert: r.alert!, url: r.annotations?.runbook_url ?? '' }));
}

describe('docs/runbook.md and the alerts\' runbook_url', () => {
  const anchors = runbookAnchors(fs.readFileSync(RUNBOOK, 'utf8'));
  const operator = alertsWithUrls(operatorRules(renderValues(sentinelValues({ mode: 'operator' }))));

  test('every alert of the chart is rendered with a runbook_url (all of ALERT_NAMES are on by default)', () => {
    expect(operator.map((a) => a.alert).sort()).toEqual([...ALERT_NAMES].sort());
  });

  test('every runbook_url is the configured runbook plus the anchor of an existing section named after the alert', () => {
    for (const { alert, url } of operator) {
      const [base, anchor] = url.split('#');
      expect([alert, base]).toEqual([alert, DEFAULT_URL]);
      expect([alert, anchors.get(anchor)]).toEqual([alert, alert]);
    }
  });

  test('the standalone rule file carries the same runbook_urls', () => {
    const groups = (YAML.parse(standaloneRuleFile(renderValues(sentinelValues(STANDALONE)))) as { groups: ReturnType<typeof operatorRules> }).groups;
    expect(alertsWithUrls(groups)).toEqual(operator);
  });

  test('monitoring.alerts.runbookUrl moves every link to the operator\'s own copy', () => {
    const url = 'https://wiki.example.com/ops/session-database';
    const moved = alertsWithUrls(operatorRules(renderValues(sentinelValues({ mode: 'operator', alerts: { runbookUrl: url } }))));
    expect(moved.map((a) => a.url)).toEqual(operator.map((a) => a.url.replace(DEFAULT_URL, url)));
  });

  test('an anchor without a section is caught (the check can fail)', () => {
    expect(anchors.has('redisdown')).toBe(true);
    expect(anchors.has('redisnosuchalert')).toBe(false);
    expect(headingAnchor('Weekly tasks: backups & alerts')).toBe('weekly-tasks-backups--alerts');
  });

  test('the runbook has the weekly, monthly and quarterly tasks and no redis-cli -a', () => {
    for (const section of ['weekly', 'monthly', 'quarterly', 'audit-trail']) expect([section, anchors.has(section)]).toEqual([section, true]);
    expect(fs.readFileSync(RUNBOOK, 'utf8')).not.toMatch(/redis-cli[^\n]*\s-a\s/);
  });
});
