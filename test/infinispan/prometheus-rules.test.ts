import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import * as YAML from 'yaml';
import { describeWithBinaries } from '../support/binaries';
import { findObject } from '../support/manifests';
import { renderInfinispan } from './values';

const JOB = 'session-database-infinispan';
const NS = 'sessions';
const metricsOn = { infinispan: { metrics: { serviceMonitor: { enabled: true }, prometheusRule: { enabled: true, for: '5m' } } } };

const NOT_HEALTHY = {
  summary: 'Infinispan members disagree about the cluster view',
  description: 'Members report different cluster sizes (a split brain or a member that cannot join): the cluster is not HEALTHY. Check /rest/v2/container/health/status on each pod.',
};
const belowReplicas = (members: number) => ({
  summary: `Infinispan cluster has ${members} of 3 members`,
  description: 'The largest cluster view has fewer members than infinispan.replicas; with fewer than infinispan.cache.owners members, sessions lose copies.',
});

function series(metric: string, pod: string, values: string) {
  return { series: `${metric}{job="${JOB}",namespace="${NS}",pod="${pod}"}`, values };
}

describe('the Infinispan monitoring objects', () => {
  test('exist only when their toggles are on', () => {
    const off = renderInfinispan();
    expect(off.filter((o) => o.kind === 'ServiceMonitor' || o.kind === 'PrometheusRule')).toEqual([]);
    const on = renderInfinispan(metricsOn);
    const monitor = findObject(on, 'ServiceMonitor', JOB);
    expect(monitor.spec).toEqual({
      selector: { matchLabels: { 'app.kubernetes.io/name': 'session-database', 'app.kubernetes.io/instance': 'session-database', 'app.kubernetes.io/component': 'infinispan' } },
      namespaceSelector: { matchNames: [NS] },
      endpoints: [{ port: 'infinispan', path: '/metrics', interval: '30s', scheme: 'http' }],
    });
    // The selector picks the client Service only, not the ping Service (no double scrape).
    const services = on.filter((o) => o.kind === 'Service' && Object.entries(monitor.spec.selector.matchLabels).every(([k, v]) => o.metadata.labels?.[k] === v));
    expect(services.map((s) => s.metadata.name)).toEqual([JOB]);
  });
});

describeWithBinaries(['promtool'], 'the Infinispan alert rules, run by promtool', () => {
  let dir: string;
  let rulesFile: string;
  beforeAll(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'infinispan-rules-'));
    rulesFile = path.join(dir, 'rules.yaml');
    const rule = findObject(renderInfinispan(metricsOn), 'PrometheusRule', JOB);
    fs.writeFileSync(rulesFile, YAML.stringify(rule.spec));
  });
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  const promtool = (...args: string[]) => execFileSync('promtool', args, { encoding: 'utf8', timeout: 30_000, cwd: dir });

  test('are valid Prometheus rules', () => {
    expect(promtool('check', 'rules', rulesFile)).toMatch(/SUCCESS: 3 rules found/);
  });

  test('fire for a missing member, a split cluster and a down server, and stay quiet for a healthy cluster', () => {
    const pods = [0, 1, 2].map((i) => `${JOB}-${i}`);
    const tests = [
      {
        name: 'healthy: 3 of 3 members agree',
        interval: '1m',
        input_series: pods.flatMap((p) => [series('up', p, '1x20'), series('vendor_cache_manager_default_cluster_size', p, '3x20')]),
        alert_rule_test: ['InfinispanServerDown', 'InfinispanMembersBelowReplicas', 'InfinispanClusterNotHealthy'].map((alertname) => ({ eval_time: '15m', alertname, exp_alerts: [] })),
      },
      {
        name: 'a member is gone',
        interval: '1m',
        input_series: [
          ...pods.slice(0, 2).flatMap((p) => [series('up', p, '1x20'), series('vendor_cache_manager_default_cluster_size', p, '2x20')]),
          series('up', pods[2], '0x20'),
        ],
        alert_rule_test: [
          { eval_time: '3m', alertname: 'InfinispanMembersBelowReplicas', exp_alerts: [] },
          {
            eval_time: '10m',
            alertname: 'InfinispanMembersBelowReplicas',
            exp_alerts: [{
              exp_labels: { severity: 'critical' },
              exp_annotations: belowReplicas(2),
            }],
          },
          {
            eval_time: '10m',
            alertname: 'InfinispanServerDown',
            exp_alerts: [{
              exp_labels: { severity: 'critical', job: JOB, namespace: NS, pod: pods[2] },
              exp_annotations: {
                summary: `Infinispan server ${pods[2]} is down`,
                description: `Prometheus cannot scrape ${pods[2]} in ${NS}; its sessions are served by the other owners.`,
              },
            }],
          },
          { eval_time: '10m', alertname: 'InfinispanClusterNotHealthy', exp_alerts: [] },
        ],
      },
      {
        name: 'split brain: members disagree',
        interval: '1m',
        input_series: [
          ...pods.flatMap((p) => [series('up', p, '1x20')]),
          series('vendor_cache_manager_default_cluster_size', pods[0], '2x20'),
          series('vendor_cache_manager_default_cluster_size', pods[1], '2x20'),
          series('vendor_cache_manager_default_cluster_size', pods[2], '1x20'),
        ],
        alert_rule_test: [
          { eval_time: '10m', alertname: 'InfinispanClusterNotHealthy', exp_alerts: [{ exp_labels: { severity: 'critical' }, exp_annotations: NOT_HEALTHY }] },
          { eval_time: '10m', alertname: 'InfinispanServerDown', exp_alerts: [] },
        ],
      },
      {
        name: 'no metrics at all',
        interval: '1m',
        input_series: pods.map((p) => series('up', p, '0x20')),
        alert_rule_test: [{ eval_time: '10m', alertname: 'InfinispanMembersBelowReplicas', exp_alerts: [{ exp_labels: { severity: 'critical' }, exp_annotations: belowReplicas(0) }] }],
      },
    ];
    const testFile = path.join(dir, 'tests.yaml');
    fs.writeFileSync(testFile, YAML.stringify({ rule_files: [rulesFile], evaluation_interval: '1m', tests }));
    expect(promtool('test', 'rules', testFile)).toMatch(/SUCCESS/);
  });

  test('compare against infinispan.replicas from the values', () => {
    const rule = findObject(renderInfinispan({ ...metricsOn, infinispan: { ...metricsOn.infinispan, replicas: 5 } }), 'PrometheusRule', JOB);
    const below = rule.spec.groups[0].rules.find((r: any) => r.alert === 'InfinispanMembersBelowReplicas');
    expect(below.expr).toMatch(/ < 5$/);
  });
});
