import * as fs from 'fs';
import * as path from 'path';
import { HELM_MAJORS } from '../../scripts/helm';
import { describeWithBinaries } from '../support/binaries';
import { helmTemplate, renderedObjects } from '../support/helm';
import { K8sObject } from '../support/manifests';
import {
  STANDALONE, YAML, allRules, cadvisorMetrics, configMapData, dashboardQueries, findObject, kubeStateMetricsNames, metricNames, operatorRules,
  renderValues, run, sentinelValues, standaloneRuleFile, substituteGrafanaVariables, tempDir, writeFile,
} from './support';

const standalone = renderValues(sentinelValues(STANDALONE));
const withKsm = renderValues(
  sentinelValues({ ...STANDALONE, standalone: { ...STANDALONE.standalone, prometheus: { kubeStateMetricsTarget: 'kube-state-metrics.kube-system.svc:8080' } } }),
);

/** prometheus.yml with its rule_files pointed at a temp dir holding the rendered rule file. */
function prometheusConfigIn(dir: string, objects: typeof standalone): string {
  const config = configMapData(objects, 'session-database-prometheus-config')['prometheus.yml'];
  const parsed = YAML.parse(config);
  expect(parsed.rule_files).toEqual(['/etc/prometheus/rules/*.yaml']);
  writeFile(dir, 'rules/alerts.yaml', standaloneRuleFile(objects));
  return writeFile(dir, 'prometheus.yml', config.replace('/etc/prometheus/rules/', `${dir}/rules/`));
}

describeWithBinaries(['promtool', 'amtool'], 'standalone Prometheus and Alertmanager configs run on promtool and amtool', () => {
  const dir = tempDir('configs');
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  test('promtool check config accepts the Prometheus config with its rule file', () => {
    const file = prometheusConfigIn(path.join(dir, 'plain'), standalone);
    const result = run('promtool', ['check', 'config', file]);
    expect(result.output).toMatch(/SUCCESS: 1 rule files found/);
    expect(result.status).toBe(0);
  });

  test('promtool check config accepts it with a kube-state-metrics target, and the target is scraped with honor_labels', () => {
    const file = prometheusConfigIn(path.join(dir, 'ksm'), withKsm);
    expect(run('promtool', ['check', 'config', file]).status).toBe(0);
    const ksm = YAML.parse(fs.readFileSync(file, 'utf8')).scrape_configs.find((j: any) => j.job_name === 'kube-state-metrics');
    expect(ksm.static_configs[0].targets).toEqual(['kube-state-metrics.kube-system.svc:8080']);
    expect(ksm.honor_labels).toBe(true);
    const plain = YAML.parse(configMapData(standalone, 'session-database-prometheus-config')['prometheus.yml']);
    expect(plain.scrape_configs.find((j: any) => j.job_name === 'kube-state-metrics').static_configs[0].targets).toEqual([]);
  });

  test('promtool check config fails when the rule file is broken (the check can fail)', () => {
    const sub = path.join(dir, 'missing');
    const file = prometheusConfigIn(sub, standalone);
    fs.rmSync(path.join(sub, 'rules'), { recursive: true });
    fs.mkdirSync(path.join(sub, 'rules'));
    fs.writeFileSync(path.join(sub, 'rules', 'alerts.yaml'), 'groups: [{name: x, rules: [{alert: A, expr: "up{"}]}]\n');
    expect(run('promtool', ['check', 'config', file]).status).not.toBe(0);
  });

  test('the scrape jobs are named like the jobs the rules select, and target the exporter port through the headless Services', () => {
    const parsed = YAML.parse(configMapData(standalone, 'session-database-prometheus-config')['prometheus.yml']);
    const jobs = Object.fromEntries(parsed.scrape_configs.map((j: any) => [j.job_name, j]));
    expect(jobs['session-database-redis'].dns_sd_configs).toEqual([
      { names: ['_redis._tcp.session-database-redis-headless.session-store.svc.cluster.local'], type: 'SRV' },
    ]);
    expect(jobs['session-database-sentinel'].dns_sd_configs[0].names).toEqual([
      '_sentinel._tcp.session-database-sentinel-headless.session-store.svc.cluster.local',
    ]);
    // The SRV names use the port names of the headless Services.
    const redisHeadless = findObject(standalone, 'Service', 'session-database-redis-headless');
    const sentinelHeadless = findObject(standalone, 'Service', 'session-database-sentinel-headless');
    expect(redisHeadless.spec.ports.map((p: any) => p.name)).toContain('redis');
    expect(sentinelHeadless.spec.ports.map((p: any) => p.name)).toContain('sentinel');
    const address = jobs['session-database-redis'].relabel_configs.find((r: any) => r.target_label === '__address__');
    expect(address.replacement).toBe('${1}:9121');
    const rules = allRules(YAML.parse(standaloneRuleFile(standalone)).groups);
    expect(rules.find((r: any) => r.alert === 'RedisDown')!.expr).toContain('job="session-database-redis"');
    expect(parsed.alerting.alertmanagers[0].static_configs[0].targets).toEqual(['session-database-alertmanager.session-store.svc.cluster.local:9093']);
    const amService = findObject(standalone, 'Service', 'session-database-alertmanager');
    expect(amService.spec.ports[0].port).toBe(9093);
  });

  test('amtool check-config accepts the Alertmanager config and its routes reach existing receivers', () => {
    const text = configMapData(standalone, 'session-database-alertmanager-config')['alertmanager.yml'];
    const file = writeFile(dir, 'alertmanager.yml', text);
    const result = run('amtool', ['check-config', file]);
    expect(result.output).toContain('SUCCESS');
    expect(result.status).toBe(0);
    // Routing of a critical and an info alert, as Alertmanager computes it.
    const critical = run('amtool', ['config', 'routes', 'test', '--config.file', file, 'severity=critical', 'alertname=RedisDown']);
    expect(critical.output.trim()).toBe('default');
    const info = run('amtool', ['config', 'routes', 'test', '--config.file', file, 'severity=info', 'alertname=RedisSessionKeysWithoutTtl']);
    expect(info.output.trim()).toBe('statistics');
  });

  test('amtool check-config rejects a route to a receiver that does not exist (the check can fail)', () => {
    const text = configMapData(standalone, 'session-database-alertmanager-config')['alertmanager.yml'].replace('receiver: statistics', 'receiver: nowhere');
    expect(run('amtool', ['check-config', writeFile(dir, 'broken-am.yml', text)]).status).not.toBe(0);
  });

  test('the inhibit rules only name alerts that exist', () => {
    const am = YAML.parse(configMapData(standalone, 'session-database-alertmanager-config')['alertmanager.yml']);
    const alerts = new Set(allRules(operatorRules(renderValues(sentinelValues({ mode: 'operator' })))).map((r) => r.alert));
    const named = am.inhibit_rules.flatMap((r: any) => [...(r.source_matchers ?? []), ...(r.target_matchers ?? [])])
      .map((m: string) => /^alertname=~?"(.*)"$/.exec(m)?.[1])
      .filter(Boolean)
      .flatMap((re: string) => re.split('|'));
    expect(named.length).toBeGreaterThan(0);
    for (const name of named) expect([name, alerts.has(name)]).toEqual([name, true]);
  });
});

describeWithBinaries(['promtool'], 'dashboards', () => {
  const dir = tempDir('dashboards');
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));
  const operator = renderValues(sentinelValues({ mode: 'operator' }));
  const data = configMapData(operator, 'session-database-dashboards');

  test('the four dashboards are valid JSON with unique uids and a Prometheus data source variable', () => {
    expect(Object.keys(data).sort()).toEqual(['alerts.json', 'redis-overview.json', 'resources.json', 'sessions.json']);
    const uids = Object.values(data).map((t) => JSON.parse(t).uid);
    expect(new Set(uids).size).toBe(4);
    for (const text of Object.values(data)) {
      const d = JSON.parse(text);
      expect(d.templating.list.map((v: any) => v.name)).toEqual(['datasource', 'namespace', 'release']);
      for (const p of d.panels) expect([d.uid, p.title, p.targets.length > 0]).toEqual([d.uid, p.title, true]);
    }
  });

  test('dashboard uids are per release (namespace and fullname), at most 40 characters, the same in Helm 3 and 4', () => {
    const uidsOf = (objects: readonly K8sObject[], fullname: string) =>
      Object.values(configMapData(objects, `${fullname}-dashboards`)).map((t) => JSON.parse(t).uid as string).sort();
    const mine = uidsOf(operator, 'session-database');
    const otherNamespace = uidsOf(renderValues(sentinelValues({ mode: 'operator' }, { namespace: { name: 'shop' } })), 'session-database');
    const otherName = uidsOf(renderValues(sentinelValues({ mode: 'operator' }, { fullnameOverride: 'a'.repeat(36) })), 'a'.repeat(36));
    for (const uids of [mine, otherNamespace, otherName]) {
      expect(new Set(uids).size).toBe(4);
      for (const uid of uids) expect(uid.length).toBeLessThanOrEqual(40);
    }
    expect(new Set([...mine, ...otherNamespace, ...otherName]).size).toBe(12);
    for (const major of HELM_MAJORS) {
      expect(uidsOf(renderedObjects(helmTemplate(major, sentinelValues({ mode: 'operator' }, { namespace: { name: 'shop' } }))), 'session-database')).toEqual(otherNamespace);
    }
  });

  test('the standalone Grafana gets the same dashboards, and provisioning points at its Prometheus Service', () => {
    expect(configMapData(standalone, 'session-database-grafana-dashboards')).toEqual(data);
    const provisioning = configMapData(standalone, 'session-database-grafana-provisioning');
    const ds = YAML.parse(provisioning['datasources.yaml']).datasources;
    expect(ds[0].url).toBe('http://session-database-prometheus.session-store.svc.cluster.local:9090');
    expect(findObject(standalone, 'Service', 'session-database-prometheus').spec.ports[0].port).toBe(9090);
    const providers = YAML.parse(provisioning['dashboards.yaml']).providers;
    const deployment = findObject(standalone, 'Deployment', 'session-database-grafana');
    const mounts = deployment.spec.template.spec.containers[0].volumeMounts;
    expect(mounts.find((m: any) => m.name === 'dashboards').mountPath).toBe(providers[0].options.path);
  });

  test('every dashboard query is valid PromQL (promtool check rules on them as recording rules)', () => {
    const queries = dashboardQueries(data);
    expect(queries.length).toBeGreaterThan(30);
    const rules = queries.map((q, i) => ({ record: `dashboard:query_${i}`, expr: substituteGrafanaVariables(q.expr, 'session-store', 'session-database') }));
    for (const r of rules) expect(r.expr).not.toMatch(/\$/);
    const file = writeFile(dir, 'queries.yaml', YAML.stringify({ groups: [{ name: 'dashboards', rules }] }));
    const result = run('promtool', ['check', 'rules', file]);
    expect(result.output).toContain(`SUCCESS: ${rules.length} rules found`);
  });

  test('dashboard and rule queries read only recording rules, Prometheus series, documented kube-state-metrics and cAdvisor series or redis_* exporter series', () => {
    const groups = operatorRules(operator);
    const recorded = new Set(allRules(groups).filter((r) => r.record).map((r) => r.record!));
    const ksm = kubeStateMetricsNames();
    const cadvisor = cadvisorMetrics().names;
    const exprs = [...allRules(groups).map((r) => r.expr), ...dashboardQueries(data).map((q) => q.expr)];
    const names = new Set(exprs.flatMap(metricNames));
    for (const name of names) {
      // haproxy_*: the master endpoint's own metrics, checked against a live HAProxy in test/master-endpoint.
      const known = recorded.has(name) || ['up', 'ALERTS'].includes(name) || ksm.has(name) || cadvisor.has(name) || name.startsWith('redis_') || name.startsWith('haproxy_');
      expect([name, known]).toEqual([name, true]);
    }
    expect(metricNames('sum by (pod) (rate(redis_x_total{a="b"}[5m])) / on (pod) redis_y > 0.5 and time() - kube_z offset 5m'))
      .toEqual(['redis_x_total', 'redis_y', 'kube_z']);
  });
});
