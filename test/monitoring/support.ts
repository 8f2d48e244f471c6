import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import * as YAML from 'yaml';
import { FULLNAME, K8sObject, configMapData, findObject, renderValues } from '../support/manifests';

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
export function standaloneRuleFile(objects: readonly K8sObject[], fullname = FULLNAME): string {
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

/** cAdvisor names (kubelet) from the committed list, and the Go module they were read from. */
export function cadvisorMetrics(): { module: string; version: string; names: Set<string> } {
  const lines = fs.readFileSync(path.join(__dirname, 'cadvisor-metrics.txt'), 'utf8').split('\n').filter((l) => l && !l.startsWith('#'));
  const [, module, version] = lines.find((l) => l.startsWith('cadvisor_module '))!.split(' ');
  return { module, version, names: new Set(lines.filter((l) => !l.startsWith('cadvisor_module ')).map((l) => l.split(' ')[0])) };
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

// ---- live helpers: processes bounded in time, exporter scrapes ----

export type Sample = { name: string; labels: Record<string, string>; value: number };

/** The Prometheus text exposition format, as far as the exporter uses it. */
export function parseExposition(text: string): Sample[] {
  const samples: Sample[] = [];
  for (const line of text.split('\n')) {
    if (!line || line.startsWith('#')) continue;
    const m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{(.*)\})?\s+(\S+)/.exec(line);
    if (!m) continue;
    const labels: Record<string, string> = {};
    for (const l of (m[3] ?? '').matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g)) labels[l[1]] = l[2].replace(/\\(.)/g, '$1');
    samples.push({ name: m[1], labels, value: Number(m[4]) });
  }
  return samples;
}

export async function scrape(host: string): Promise<Sample[]> {
  const res = await fetch(`http://${host}:9121/metrics`, { signal: AbortSignal.timeout(5000) });
  return parseExposition(await res.text());
}

export const sampleValue = (samples: Sample[], name: string, labels: Record<string, string> = {}) =>
  samples.find((s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v))?.value;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export async function until<T>(what: string, fn: () => Promise<T | undefined | false>, timeoutMs = 20000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  while (Date.now() < deadline) {
    try {
      const v = await fn();
      if (v) return v;
    } catch (e) {
      last = e;
    }
    await sleep(200);
  }
  throw new Error(`timed out waiting for ${what} ${last ? String(last) : ''}`);
}

export interface Proc {
  readonly name: string;
  readonly child: import('child_process').ChildProcess;
  readonly log: string;
}

/** Processes under `timeout -s KILL`, logged to files in dir, killed by pid in dispose(). */
export class ProcessGroup {
  readonly procs: Proc[] = [];
  constructor(private readonly dir: string, private readonly lifetimeSeconds = 120) {}

  start(name: string, program: string, args: string[], env: Record<string, string> = {}): Proc {
    const { spawn } = require('child_process') as typeof import('child_process');
    const log = path.join(this.dir, `${name}.log`);
    const fd = fs.openSync(log, 'a');
    const child = spawn('timeout', ['-s', 'KILL', String(this.lifetimeSeconds), program, ...args], {
      env: { PATH: process.env.PATH ?? '/usr/bin:/bin', ...env },
      stdio: ['ignore', fd, fd],
    });
    fs.closeSync(fd);
    const proc = { name, child, log };
    this.procs.push(proc);
    return proc;
  }

  /** SIGKILL the program itself (the child of `timeout`), found by its parent's pid. */
  killHard(proc: Proc): void {
    let pids: string[] = [];
    try {
      pids = execFileSync('pgrep', ['-P', String(proc.child.pid)], { encoding: 'utf8' }).trim().split('\n').filter(Boolean);
    } catch {
      // no child left
    }
    for (const pid of pids) {
      try {
        process.kill(Number(pid), 'SIGKILL');
      } catch {
        // already gone
      }
    }
  }

  dispose(): void {
    for (const p of this.procs) {
      this.killHard(p);
      p.child.kill('SIGKILL');
    }
  }
}

export interface ExporterFixture {
  /** metadata.name of the pod. */
  readonly podName: string;
  /** status.podIP: the loopback address its Redis/Sentinel listens on. */
  readonly podIp: string;
  /** Where the exporter listens (the pod IP of a real pod; a separate loopback address here). */
  readonly listen: string;
  /** Files of the auth Secret (<user>-password). */
  readonly secretsDir: string;
  /** mountPath → local directory (the pod's volumes). */
  readonly mounts?: Record<string, string>;
}

/**
 * The process environment of a synthesized exporter container, as the kubelet would
 * build it: downward API and Secret refs resolved, $(VAR) expanded, mount paths pointing
 * at local dirs, and the pod's cluster DNS name (which a test cannot resolve) replaced
 * by its IP, like a DNS answer would.
 */
export function exporterEnv(container: any, f: ExporterFixture): Record<string, string> {
  const env: Record<string, string> = {};
  for (const e of container.env) {
    let value: string;
    if (e.valueFrom?.fieldRef) {
      const field = e.valueFrom.fieldRef.fieldPath;
      if (field === 'metadata.name') value = f.podName;
      else if (field === 'status.podIP') value = f.podIp;
      else throw new Error(`exporter env ${e.name}: fieldRef ${field} not emulated`);
    } else if (e.valueFrom?.secretKeyRef) {
      value = fs.readFileSync(path.join(f.secretsDir, e.valueFrom.secretKeyRef.key), 'utf8');
    } else if (e.valueFrom) {
      throw new Error(`exporter env ${e.name}: ${Object.keys(e.valueFrom)} not emulated`);
    } else {
      value = String(e.value).replace(/\$\(([A-Za-z_][A-Za-z0-9_]*)\)/g, (m: string, v: string) => env[v] ?? m);
      if (e.name === 'REDIS_EXPORTER_WEB_LISTEN_ADDRESS') value = `${f.listen}${value}`;
      value = value.replace(new RegExp(`${f.podName.replace(/[.]/g, '\\.')}\\.[a-z0-9-]+\\.[a-z0-9-]+\\.svc\\.[a-z0-9.-]+`), f.podIp);
      for (const [mountPath, dir] of Object.entries(f.mounts ?? {})) {
        if (value === mountPath || value.startsWith(`${mountPath}/`)) value = dir + value.slice(mountPath.length);
      }
    }
    env[e.name] = value;
  }
  return env;
}

/** users.acl / sentinel-users.acl of the synthesized ConfigMap, rendered by the scripts' own render_acl. */
export function renderAclFromManifests(objects: readonly K8sObject[], dir: string, secretsDir: string, file: 'users.acl' | 'sentinel-users.acl', fullname = FULLNAME): string {
  const config = configMapData(objects, `${fullname}-redis-config`);
  const scripts = configMapData(objects, `${fullname}-redis-scripts`);
  for (const [name, text] of Object.entries(scripts)) writeFile(dir, `scripts/${name}`, text);
  const template = writeFile(dir, `${file}.template`, config[file]);
  // $0 in the scripts dir: common.sh sources its siblings relative to it.
  return execFileSync('sh', ['-c', `. ${dir}/scripts/common.sh && render_acl ${template}`, `${dir}/scripts/render`], {
    env: { PATH: process.env.PATH!, SECRETS_DIR: secretsDir },
    encoding: 'utf8',
  });
}
