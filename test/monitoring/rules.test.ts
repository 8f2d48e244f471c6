import * as fs from 'fs';
import * as path from 'path';
import { describeWithBinaries } from '../support/binaries';
import { AlertCase, CaseConfig, alertCases } from './alert-cases';
import {
  RuleGroup, STANDALONE, YAML, allRules, operatorRules, renderValues, run, seconds, sentinelValues, standaloneRuleFile, tempDir, writeFile,
} from './support';

/** Where every case is evaluated: after the longest `for`, inside the 5m/10m windows of the step series. */
const EVAL_MINUTES = 44;

function caseConfig(values: any): CaseConfig {
  const redis = values.redis ?? {};
  const alerts = values.monitoring.alerts ?? {};
  return {
    namespace: values.namespace.name,
    fullname: values.fullnameOverride || 'session-database',
    replicas: redis.replicas,
    sentinels: redis.sentinel.replicas,
    sessionsDb: redis.databases?.sessions ?? 0,
    cacheDb: redis.databases?.cache ?? 1,
    maxclients: redis.maxclients ?? 10000,
    alerts: {
      memoryWarningRatio: alerts.memoryWarningRatio ?? 0.8,
      memoryCriticalRatio: alerts.memoryCriticalRatio ?? 0.9,
      connectionsWarningRatio: alerts.connectionsWarningRatio ?? 0.8,
      replicationLagSeconds: alerts.replicationLagSeconds ?? 30,
      backupMaxAgeHours: alerts.backupMaxAgeHours ?? 26,
      cleanupMaxAgeMinutes: alerts.cleanupMaxAgeMinutes ?? 60,
      cacheHitRateWarningRatio: alerts.cacheHitRateWarningRatio ?? 0.8,
      cacheMinLookupsPerSecond: alerts.cacheMinLookupsPerSecond ?? 1,
      cpuThrottlingRatio: alerts.cpuThrottlingRatio ?? 0.25,
      containerMemoryWarningRatio: alerts.containerMemoryWarningRatio ?? 0.9,
    },
  };
}

/** A promtool test file: per case one group that must fire (exact labels) and one that must stay silent. */
function promtoolTests(ruleFile: string, cases: AlertCase[], namespace: string): string {
  const evalTime = `${EVAL_MINUTES}m`;
  const tests = cases.flatMap((c) => [
    {
      name: `${c.alert} fires`,
      interval: '1m',
      input_series: c.fire.series,
      promql_expr_test: [
        {
          expr: `ALERTS{alertname="${c.alert}", alertstate="firing"}`,
          eval_time: evalTime,
          exp_samples: [
            { labels: `ALERTS${labelText({ ...c.fire.labels, alertname: c.alert, alertstate: 'firing', severity: c.severity, namespace })}`, value: 1 },
          ],
        },
      ],
    },
    {
      name: `${c.alert} stays silent`,
      interval: '1m',
      input_series: c.quiet.series,
      promql_expr_test: [{ expr: `ALERTS{alertname="${c.alert}"}`, eval_time: evalTime, exp_samples: [] }],
    },
  ]);
  return YAML.stringify({ rule_files: [ruleFile], evaluation_interval: '1m', tests });
}

function labelText(labels: Record<string, string>): string {
  return `{${Object.entries(labels).map(([k, v]) => `${k}=${JSON.stringify(v)}`).join(', ')}}`;
}

const VARIANTS: Record<string, any> = {
  'production-like defaults': sentinelValues({ mode: 'operator' }),
  'changed thresholds, names and topology': sentinelValues(
    {
      mode: 'operator',
      alerts: {
        downFor: '3m', memoryWarningRatio: 0.5, memoryCriticalRatio: 0.6, connectionsWarningRatio: 0.3,
        replicationLagSeconds: 7, backupMaxAgeHours: 3, cleanupMaxAgeMinutes: 15,
        cacheHitRateWarningRatio: 0.5, cacheMinLookupsPerSecond: 20, cpuThrottlingRatio: 0.1, containerMemoryWarningRatio: 0.6,
      },
    },
    {
      fullnameOverride: 'sessions',
      namespace: { name: 'other-ns' },
      redis: { mode: 'sentinel', replicas: 5, maxclients: 2000, sentinel: { replicas: 5, quorum: 3 }, databases: { sessions: 2, cache: 3 } },
    },
  ),
};

describeWithBinaries(['promtool'], 'alert rules run on promtool', () => {
  const dir = tempDir('rules');
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  const operator = renderValues(VARIANTS['production-like defaults']);
  const operatorGroups = operatorRules(operator);
  const standaloneObjects = renderValues(sentinelValues(STANDALONE));
  const standaloneText = standaloneRuleFile(standaloneObjects);

  test('the PrometheusRule of operator mode passes promtool check rules', () => {
    const file = writeFile(dir, 'operator-rules.yaml', YAML.stringify({ groups: operatorGroups }));
    const result = run('promtool', ['check', 'rules', file]);
    expect(result.output).toMatch(/SUCCESS: \d+ rules found/);
    expect(result.status).toBe(0);
  });

  test('the rule file of the standalone Prometheus passes promtool check rules and equals the PrometheusRule', () => {
    const file = writeFile(dir, 'standalone-rules.yaml', standaloneText);
    const result = run('promtool', ['check', 'rules', file]);
    expect(result.status).toBe(0);
    expect((YAML.parse(standaloneText) as { groups: RuleGroup[] }).groups).toEqual(operatorGroups);
  });

  test('a broken rule makes promtool check rules fail (the check can fail)', () => {
    const broken = structuredClone(operatorGroups);
    broken[0].rules[0].expr = 'redis_up{ == 0';
    const file = writeFile(dir, 'broken-rules.yaml', YAML.stringify({ groups: broken }));
    expect(run('promtool', ['check', 'rules', file]).status).not.toBe(0);
  });

  test('every alert has a severity of critical, warning or info, a summary, a description and a runbook', () => {
    const alerts = allRules(operatorGroups).filter((r) => r.alert);
    expect(alerts.length).toBeGreaterThanOrEqual(20);
    for (const rule of alerts) {
      expect([rule.alert, rule.labels?.severity]).toEqual([rule.alert, expect.stringMatching(/^(critical|warning|info)$/)]);
      for (const key of ['summary', 'description', 'runbook']) {
        expect([rule.alert, key, (rule.annotations?.[key] ?? '').length > 10]).toEqual([rule.alert, key, true]);
      }
      expect(seconds(rule.for)).toBeLessThan((EVAL_MINUTES - 10) * 60);
    }
    const severities = new Set(alerts.map((r) => r.labels!.severity));
    expect([...severities].sort()).toEqual(['critical', 'info', 'warning']);
  });

  for (const [variant, values] of Object.entries(VARIANTS)) {
    test(`every alert fires on its series and stays silent on the others (${variant})`, () => {
      const objects = renderValues(values);
      const groups = operatorRules(objects);
      const config = caseConfig(values);
      const cases = alertCases(config);
      const alertNames = allRules(groups).filter((r) => r.alert).map((r) => r.alert!).sort();
      expect(cases.map((c) => c.alert).sort()).toEqual(alertNames);
      for (const c of cases) {
        const rule = allRules(groups).find((r) => r.alert === c.alert)!;
        expect([c.alert, rule.labels?.severity]).toEqual([c.alert, c.severity]);
      }
      const sub = fs.mkdtempSync(path.join(dir, 'cases-'));
      writeFile(sub, 'rules.yaml', YAML.stringify({ groups }));
      const testFile = writeFile(sub, 'tests.yaml', promtoolTests('rules.yaml', cases, config.namespace));
      const result = run('promtool', ['test', 'rules', testFile], { cwd: sub });
      expect(result.output).toContain('SUCCESS');
      expect(result.status).toBe(0);
    });
  }

  test('the cases of one config fail against the thresholds of another (thresholds come from the config)', () => {
    const changed = VARIANTS['changed thresholds, names and topology'];
    const defaults = VARIANTS['production-like defaults'];
    const groups = operatorRules(renderValues(defaults));
    // Same names as the defaults, lower thresholds: these "fire" series sit below the default thresholds.
    const config = { ...caseConfig(changed), fullname: 'session-database', namespace: 'session-store', replicas: 3, sentinels: 3, sessionsDb: 0, cacheDb: 1, maxclients: 10000 };
    const thresholdAlerts = [
      'RedisMemoryHigh', 'RedisConnectionsNearLimit', 'RedisReplicationBroken', 'RedisBackupTooOld', 'RedisCleanupNotRun',
      'RedisContainerCpuThrottled', 'RedisContainerMemoryNearLimit',
    ];
    const cases = alertCases(config).filter((c) => thresholdAlerts.includes(c.alert));
    const sub = fs.mkdtempSync(path.join(dir, 'cross-'));
    writeFile(sub, 'rules.yaml', YAML.stringify({ groups }));
    const testFile = writeFile(sub, 'tests.yaml', promtoolTests('rules.yaml', cases, config.namespace));
    const result = run('promtool', ['test', 'rules', testFile], { cwd: sub });
    expect(result.status).not.toBe(0);
    for (const alert of thresholdAlerts) {
      expect(result.output).toMatch(new RegExp(`exp: \\{__name__="ALERTS", alertname="${alert}", alertstate="firing"[^\\n]*\\n\\s*got: nil`));
    }
  });

  test('the recording rules compute active sessions from the master only and count cleanup runs of the last hour', () => {
    const sub = fs.mkdtempSync(path.join(dir, 'records-'));
    writeFile(sub, 'rules.yaml', YAML.stringify({ groups: operatorGroups }));
    const base = 'namespace="session-store", job="session-database-redis"';
    const tests = [
      {
        interval: '1m',
        input_series: [
          { series: `redis_instance_info{${base}, instance="r0", role="master"}`, values: '1x30' },
          { series: `redis_instance_info{${base}, instance="r1", role="slave"}`, values: '1x30' },
          { series: `redis_db_keys{${base}, instance="r0", db="db0"}`, values: '120x30' },
          { series: `redis_db_keys{${base}, instance="r1", db="db0"}`, values: '90x30' },
          { series: `redis_db_keys{${base}, instance="r0", db="db1"}`, values: '5000x30' },
          { series: 'kube_job_status_completion_time{namespace="session-store", job_name="session-database-session-cleanup-1"}', values: '-4000x30' },
          { series: 'kube_job_status_completion_time{namespace="session-store", job_name="session-database-session-cleanup-2"}', values: '100x30' },
          { series: 'kube_job_status_completion_time{namespace="session-store", job_name="session-database-session-cleanup-3"}', values: '500x30' },
          { series: 'kube_job_status_completion_time{namespace="session-store", job_name="session-database-backup-3"}', values: '500x30' },
        ],
        promql_expr_test: [
          { expr: 'session_database:active_sessions', eval_time: '20m', exp_samples: [{ labels: 'session_database:active_sessions{namespace="session-store"}', value: 120 }] },
          {
            expr: 'session_database:cleanup_runs:1h',
            eval_time: '20m',
            exp_samples: [{ labels: 'session_database:cleanup_runs:1h{namespace="session-store", cronjob="session-database-session-cleanup"}', value: 2 }],
          },
        ],
      },
    ];
    const testFile = writeFile(sub, 'tests.yaml', YAML.stringify({ rule_files: ['rules.yaml'], evaluation_interval: '1m', tests }));
    const result = run('promtool', ['test', 'rules', testFile], { cwd: sub });
    expect(result.output).toContain('SUCCESS');
  });

  describe('monitoring.alerts.disabled and monitoring.rules', () => {
    const extraRules = [
      { alert: 'ShopSessionsHigh', expr: 'session_database:active_sessions > 1000', for: '5m', labels: { severity: 'warning', team: 'shop' }, annotations: { summary: 'Sessions > 1000 & rising' } },
      { record: 'shop:sessions:max1h', expr: 'max_over_time(session_database:active_sessions[1h])' },
    ];
    // Every alert of the session-database.exporter group: that whole group goes.
    const disabled = ['RedisMemoryHigh', 'RedisSentinelDown', 'RedisExporterScrapeFailing', 'RedisExporterTargetsMissing'];
    const monitoring = (mode: object) => sentinelValues({ ...mode, alerts: { disabled }, rules: extraRules });
    const operatorChanged = operatorRules(renderValues(monitoring({ mode: 'operator' })));
    const standaloneChanged = standaloneRuleFile(renderValues(monitoring(STANDALONE)));

    test('disabled alerts are gone from both outputs, with a group whose alerts are all disabled; the others stay', () => {
      const names = allRules(operatorChanged).map((r) => r.alert ?? r.record);
      for (const alert of disabled) expect(names).not.toContain(alert);
      const before = allRules(operatorGroups).map((r) => r.alert ?? r.record);
      expect(names).toEqual([...before.filter((n) => !disabled.includes(n!)), 'ShopSessionsHigh', 'shop:sessions:max1h']);
      expect(operatorChanged.map((g) => g.name)).not.toContain('session-database.exporter');
      expect((YAML.parse(standaloneChanged) as { groups: RuleGroup[] }).groups).toEqual(operatorChanged);
    });

    test('the extra rules are appended as their own group and pass promtool check rules in both modes', () => {
      const extra = operatorChanged.find((g) => g.name === 'session-database.extra');
      expect(extra?.rules).toEqual(extraRules);
      for (const [name, text] of [['op', YAML.stringify({ groups: operatorChanged })], ['sa', standaloneChanged]]) {
        const result = run('promtool', ['check', 'rules', writeFile(dir, `changed-${name}.yaml`, text)]);
        expect(result.output).toMatch(/SUCCESS: \d+ rules found/);
        expect(result.status).toBe(0);
      }
    });

    test('an added alert fires on promtool like the chart\'s own', () => {
      const sub = fs.mkdtempSync(path.join(dir, 'extra-'));
      writeFile(sub, 'rules.yaml', standaloneChanged);
      const base = 'namespace="session-store", job="session-database-redis"';
      const tests = [{
        interval: '1m',
        input_series: [
          { series: `redis_instance_info{${base}, instance="r0", role="master"}`, values: '1x30' },
          { series: `redis_db_keys{${base}, instance="r0", db="db0"}`, values: '5000x30' },
        ],
        alert_rule_test: [{
          alertname: 'ShopSessionsHigh',
          eval_time: '20m',
          exp_alerts: [{ exp_labels: { severity: 'warning', team: 'shop', namespace: 'session-store' }, exp_annotations: { summary: 'Sessions > 1000 & rising' } }],
        }],
      }];
      const result = run('promtool', ['test', 'rules', writeFile(sub, 'tests.yaml', YAML.stringify({ rule_files: ['rules.yaml'], evaluation_interval: '1m', tests }))], { cwd: sub });
      expect(result.output).toContain('SUCCESS');
      expect(result.status).toBe(0);
    });
  });
});
