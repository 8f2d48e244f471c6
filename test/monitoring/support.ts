import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import * as YAML from 'yaml';
import { K8sObject, configMapData, findObject, renderValues } from '../support/manifests';

/** Values for the monitoring tests: production-like sentinel topology. */
export function sentinelValues(monitoring: Record<string, unknown>, extra: Record<string, unknown> = {}) {
  return {
    namespace: { name: 'session-store' },
    redis: { mode: 'sentinel', replicas: 3, sentinel: { replicas: 3, quorum: 2 } },
    auth: { existingSecret: 'session-database-auth' },
    monitoring,
    ...extra,
  };
}

export const STANDALONE = { mode: 'standalone', standalone: { grafana: { adminSecret: 'grafana-admin' } } };

export interface RuleGroup {
  name: string;
  rules: { alert?: string; record?: string; expr: string; for?: string; labels?: Record<string, string>; annotations?: Record<string, string> }[];
}

/** The rule groups of the PrometheusRule (operator mode). */
export function operatorRules(objects: readonly K8sObject[]): RuleGroup[] {
  const rules = objects.filter((o) => o.kind === 'PrometheusRule');
  if (rules.length !== 1) throw new Error(`expected one PrometheusRule, found ${rules.length}`);
  return rules[0].spec.groups;
}

/** The rule file text of the standalone Prometheus. */
export function standaloneRuleFile(objects: readonly K8sObject[], fullname = 'session-database'): string {
  return configMapData(objects, `${fullname}-prometheus-rules`)['alerts.yaml'];
}

export function tempDir(prefix: string): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), `sdb-mon-${prefix}-`));
}

/** Runs a program; returns its combined output and exit status instead of throwing. */
export function run(program: string, args: string[], opts: { cwd?: string; timeout?: number } = {}): { status: number; output: string } {
  try {
    const out = execFileSync(program, args, { cwd: opts.cwd, timeout: opts.timeout ?? 60_000, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
    return { status: 0, output: out };
  } catch (e: any) {
    return { status: e.status ?? -1, output: `${e.stdout ?? ''}${e.stderr ?? ''}${e.status === null ? ` (killed: ${e.signal})` : ''}` };
  }
}

export function writeFile(dir: string, name: string, text: string): string {
  const file = path.join(dir, name);
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, text);
  return file;
}

export function allRules(groups: readonly RuleGroup[]) {
  return groups.flatMap((g) => g.rules);
}

/** Every PromQL expression of the dashboards, with the Grafana variables replaced by examples. */
export function dashboardQueries(data: Record<string, string>): { dashboard: string; panel: string; expr: string }[] {
  const out: { dashboard: string; panel: string; expr: string }[] = [];
  for (const [file, text] of Object.entries(data)) {
    const dashboard = JSON.parse(text);
    for (const panel of dashboard.panels) {
      for (const target of panel.targets ?? []) out.push({ dashboard: file, panel: panel.title, expr: target.expr });
    }
  }
  return out;
}

export function substituteGrafanaVariables(expr: string, namespace: string, release: string): string {
  return expr.replace(/\$__rate_interval/g, '5m').replace(/\$namespace/g, namespace).replace(/\$release/g, release);
}

const PROMQL_WORDS = new Set([
  'sum', 'min', 'max', 'avg', 'count', 'stddev', 'stdvar', 'topk', 'bottomk', 'quantile', 'count_values', 'group',
  'by', 'without', 'on', 'ignoring', 'group_left', 'group_right', 'and', 'or', 'unless', 'offset', 'bool', 'atan2',
  'inf', 'nan',
]);

/**
 * Metric names an expression reads: identifiers that are not functions, keywords,
 * label names (in matchers or grouping clauses), strings or durations.
 */
export function metricNames(expr: string): string[] {
  const stripped = expr
    .replace(/"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*'/g, '""')
    .replace(/\{[^}]*\}/g, ' ')
    .replace(/\[[^\]]*\]/g, ' ')
    .replace(/\b(by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)/g, ' ');
  const names = new Set<string>();
  for (const m of stripped.matchAll(/(?<![\w:.])([a-zA-Z_:][a-zA-Z0-9_:]*)(\s*\()?/g)) {
    if (m[2]) continue; // a function call
    if (PROMQL_WORDS.has(m[1].toLowerCase())) continue;
    names.add(m[1]);
  }
  return [...names];
}

/** kube-state-metrics names from the documented list. */
export function kubeStateMetricsNames(): Set<string> {
  const text = fs.readFileSync(path.join(__dirname, 'kube-state-metrics-metrics.txt'), 'utf8');
  return new Set(text.split('\n').filter((l) => l && !l.startsWith('#')).map((l) => l.split(' ')[0]));
}

/** Names Prometheus itself produces (not scraped from an exporter). */
export const PROMETHEUS_SYNTHETIC = new Set(['up', 'ALERTS', 'ALERTS_FOR_STATE']);

/** Duration like 90s, 5m, 1h in seconds. */
export function seconds(duration: string | undefined): number {
  if (!duration) return 0;
  const m = /^(\d+)(ms|s|m|h|d)$/.exec(duration);
  if (!m) throw new Error(`unsupported duration ${duration}`);
  const unit = { ms: 0.001, s: 1, m: 60, h: 3600, d: 86400 }[m[2] as 'ms' | 's' | 'm' | 'h' | 'd'];
  return Number(m[1]) * unit;
}

export { configMapData, findObject, renderValues, YAML };
