/**
 * Live: a real master, replica and sentinel with the ACL users of the synthesized
 * ConfigMaps, and a real redis_exporter per process started with the environment of
 * the synthesized exporter sidecar (authenticating as `monitor`). Every metric name the
 * rules and dashboards read must be in the scrapes; after the master is killed, the
 * scraped samples are fed to promtool and RedisDown / RedisNoMaster must fire.
 *
 * Addresses: 127.0.30.1 master, .2 replica, .3 sentinel, .11/.12/.13 their exporters.
 */
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { ACL_USERS, AclUser } from '../../src/components/redis/contract';
import { passwordFile } from '../../src/components/secrets/keys';
import { describeWithBinaries } from '../support/binaries';
import { FULLNAME } from '../support/manifests';
import { fixturePasswords } from '../support/redis';
import {
  Proc, ProcessGroup, Sample, YAML, cadvisorMetrics, exporterEnv, allRules, configMapData, dashboardQueries, findObject, kubeStateMetricsNames, metricNames, operatorRules,
  renderValues, run, sampleValue, scrape, sentinelValues, tempDir, until, writeFile,
} from './support';

const NS = 'session-store';
const LIFETIME_SECONDS = 120;

const value = sampleValue;

describeWithBinaries(['redis-server', 'redis-sentinel', 'prometheus-redis-exporter', 'promtool'], 'redis_exporter against live Redis and Sentinel', () => {
  const dir = tempDir('live');
  const group = new ProcessGroup(dir, LIFETIME_SECONDS);
  const procs = group.procs;
  const start = group.start.bind(group);
  const killHard = group.killHard.bind(group);
  const objects = renderValues(
    sentinelValues({ mode: 'operator' }, { redis: { mode: 'sentinel', replicas: 3, sentinel: { replicas: 3, quorum: 2, downAfterMilliseconds: 60000 } } }),
  );
  const groups = operatorRules(objects);
  const passwords = fixturePasswords();
  const secrets = path.join(dir, 'secrets');
  let before: Record<string, Sample[]> = {};
  let after: Record<string, Sample[]> = {};

  /** The exporter container of a StatefulSet, run as a process: its env, with the address and password fixtures. */
  function startExporter(sts: string, target: string, listen: string): Proc {
    const container = findObject(objects, 'StatefulSet', sts).spec.template.spec.containers.find((c: any) => c.name === 'exporter');
    const podName = { '127.0.30.1': `${FULLNAME}-redis-0`, '127.0.30.2': `${FULLNAME}-redis-1`, '127.0.30.3': `${FULLNAME}-sentinel-0` }[target]!;
    expect(container.env.find((e: any) => e.name === 'REDIS_PASSWORD').valueFrom.secretKeyRef.name).toBe('session-database-auth');
    const env = exporterEnv(container, { podName, podIp: target, listen, secretsDir: secrets });
    return start(`exporter-${sts}`, 'prometheus-redis-exporter', [], env);
  }

  beforeAll(async () => {
    fs.mkdirSync(secrets);
    for (const u of ACL_USERS) fs.writeFileSync(path.join(secrets, passwordFile(u)), passwords[u]);
    const config = configMapData(objects, `${FULLNAME}-redis-config`);
    const scripts = configMapData(objects, `${FULLNAME}-redis-scripts`);
    for (const [file, text] of Object.entries(scripts)) writeFile(dir, `scripts/${file}`, text);
    writeFile(dir, 'users.acl.template', config['users.acl']);
    writeFile(dir, 'sentinel-users.acl.template', config['sentinel-users.acl']);
    // The scripts' own render_acl turns %PASSWORD:<user>% into #<sha256>.
    const render = (template: string) =>
      // $0 in the scripts dir: common.sh sources its siblings relative to it.
      execFileSync('sh', ['-c', `. ${dir}/scripts/common.sh && render_acl ${dir}/${template}`, `${dir}/scripts/render`], { env: { PATH: process.env.PATH!, SECRETS_DIR: secrets }, encoding: 'utf8' });
    writeFile(dir, 'users.acl', render('users.acl.template'));
    const sentinelUsers = render('sentinel-users.acl.template');
    expect(sentinelUsers).toMatch(/^user monitor on #[0-9a-f]{64} /m);

    for (const [name, ip, extra] of [['master', '127.0.30.1', []], ['replica', '127.0.30.2', ['--replicaof', '127.0.30.1', '6379', '--masteruser', 'replication', '--masterauth', passwords.replication]]] as const) {
      fs.mkdirSync(path.join(dir, name));
      start(name, 'redis-server', [
        '--bind', ip, '--port', '6379', '--aclfile', path.join(dir, 'users.acl'), '--dir', path.join(dir, name),
        '--save', '', '--appendonly', 'no', '--maxmemory', '100mb', '--daemonize', 'no', ...extra,
      ]);
    }
    fs.mkdirSync(path.join(dir, 'sentinel'));
    writeFile(dir, 'sentinel/sentinel.conf', [
      'bind 127.0.30.3', 'port 26379', `dir ${dir}/sentinel`, 'sentinel resolve-hostnames yes',
      'sentinel monitor mymaster 127.0.30.1 6379 1', 'sentinel down-after-milliseconds mymaster 60000',
      'sentinel auth-user mymaster sentinel', `sentinel auth-pass mymaster ${passwords.sentinel}`,
      sentinelUsers,
    ].join('\n') + '\n');
    start('sentinel', 'redis-sentinel', [path.join(dir, 'sentinel/sentinel.conf')]);

    startExporter(`${FULLNAME}-redis`, '127.0.30.1', '127.0.30.11');
    startExporter(`${FULLNAME}-redis`, '127.0.30.2', '127.0.30.12');
    startExporter(`${FULLNAME}-sentinel`, '127.0.30.3', '127.0.30.13');

    // Keys in the sessions and cache databases, written as the app and cache users.
    const cli = (user: AclUser, db: number, ...args: string[]) =>
      execFileSync('redis-cli', ['--no-auth-warning', '-h', '127.0.30.1', '--user', user, '-n', String(db), ...args], { env: { PATH: process.env.PATH!, REDISCLI_AUTH: passwords[user] }, encoding: 'utf8', timeout: 5000 });
    await until('the master', async () => { try { return cli('app', 0, 'PING').trim() === 'PONG'; } catch { return false; } });
    cli('app', 0, 'SET', 'session:a', '1', 'EX', '3600');
    cli('app', 0, 'SET', 'session:b', '1', 'PX', '1');
    cli('cache', 1, 'SET', 'cache:x', '1');

    before.master = await until('master metrics', async () => {
      const s = await scrape('127.0.30.11');
      return value(s, 'redis_up') === 1 && value(s, 'redis_connected_slaves') === 1 && value(s, 'redis_expired_keys_total')! >= 1 && s;
    });
    before.replica = await until('replica metrics', async () => {
      const s = await scrape('127.0.30.12');
      return value(s, 'redis_master_link_up') === 1 && s;
    });
    before.sentinel = await until('sentinel metrics', async () => {
      const s = await scrape('127.0.30.13');
      return value(s, 'redis_sentinel_master_ok_slaves') === 1 && s;
    });

    killHard(procs.find((p) => p.name === 'master')!);
    after.master = await until('the master exporter to see Redis down', async () => {
      const s = await scrape('127.0.30.11');
      return value(s, 'redis_up') === 0 && s;
    });
    after.replica = await until('the replica to lose its link', async () => {
      const s = await scrape('127.0.30.12');
      return value(s, 'redis_master_link_up') === 0 && s;
    });
    after.sentinel = await scrape('127.0.30.13');
  }, 60000);

  afterAll(() => {
    group.dispose();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  test('the exporters log in as monitor and scrape without errors (the ACL grants what they need)', () => {
    for (const [pod, samples] of Object.entries(before)) {
      expect([pod, value(samples, 'redis_up')]).toEqual([pod, 1]);
      const errors = samples.filter((s) => s.name === 'redis_exporter_last_scrape_error' && s.value !== 0);
      expect([pod, errors]).toEqual([pod, []]);
    }
    expect(value(before.master, 'redis_instance_info', { role: 'master' })).toBe(1);
    expect(value(before.replica, 'redis_instance_info', { role: 'slave' })).toBe(1);
    expect(value(before.master, 'redis_db_keys', { db: 'db0' })).toBe(1);
    expect(value(before.master, 'redis_db_keys', { db: 'db1' })).toBe(1);
    expect(value(before.sentinel, 'redis_sentinel_master_ckquorum_status', { master_name: 'mymaster' })).toBe(1);
    // One sentinel runs and counts itself: RedisSentinelCountLow compares with the full replica count.
    expect(value(before.sentinel, 'redis_sentinel_master_ok_sentinels', { master_name: 'mymaster' })).toBe(1);
    const logs = procs.filter((p) => p.name.startsWith('exporter')).map((p) => fs.readFileSync(p.log, 'utf8')).join('\n');
    expect(logs).not.toMatch(/NOPERM|WRONGPASS|NOAUTH/);
  });

  test('every metric name used by a rule or a dashboard is in the scrapes (kube-state-metrics and cAdvisor names in the documented lists)', () => {
    const scraped = new Set(Object.values(before).flat().map((s) => s.name));
    const recorded = new Set(allRules(groups).filter((r) => r.record).map((r) => r.record!));
    const ksm = kubeStateMetricsNames();
    const dashboards = dashboardQueries(configMapData(objects, `${FULLNAME}-dashboards`)).map((q) => q.expr);
    const used = new Set([...allRules(groups).map((r) => r.expr), ...dashboards].flatMap(metricNames));
    const cadvisor = cadvisorMetrics().names;
    // HAProxy's own metrics are checked against a live HAProxy in test/master-endpoint.
    const missing = [...used].filter((n) => !scraped.has(n) && !recorded.has(n) && !ksm.has(n) && !cadvisor.has(n) && !['up', 'ALERTS'].includes(n) && !n.startsWith('haproxy_'));
    expect(missing).toEqual([]);
    expect([...used].filter((n) => n.startsWith('redis_')).length).toBeGreaterThan(30);
  });

  test('after the master is killed, RedisDown, RedisNoMaster and RedisReplicaLinkDown fire on the scraped samples', () => {
    // Scrapes become series: 10 minutes of the "before" samples, then 30 of the "after" ones.
    const pods: Record<string, { pod: string; job: string }> = {
      master: { pod: `${FULLNAME}-redis-0`, job: `${FULLNAME}-redis` },
      replica: { pod: `${FULLNAME}-redis-1`, job: `${FULLNAME}-redis` },
      sentinel: { pod: `${FULLNAME}-sentinel-0`, job: `${FULLNAME}-sentinel` },
    };
    const series = new Map<string, { before?: number; after?: number }>();
    for (const [phase, scrapes] of [['before', before], ['after', after]] as const) {
      for (const [key, samples] of Object.entries(scrapes)) {
        for (const s of samples) {
          if (!s.name.startsWith('redis_') || !Number.isFinite(s.value)) continue;
          const labels = { ...s.labels, namespace: NS, job: pods[key].job, pod: pods[key].pod, instance: pods[key].pod };
          const id = `${s.name}{${Object.entries(labels).map(([k, v]) => `${k}=${JSON.stringify(v)}`).join(', ')}}`;
          series.set(id, { ...series.get(id), [phase]: s.value });
        }
      }
    }
    const input = [...series].map(([id, v]) => ({
      series: id,
      values: `${v.before === undefined ? '_' : v.before}x9 ${v.after === undefined ? '_' : v.after}x30`,
    }));
    const firing = (alert: string, labels: Record<string, string>, evalTime: string) => ({
      expr: `ALERTS{alertname="${alert}", alertstate="firing"}`,
      eval_time: evalTime,
      exp_samples: [{ labels: `ALERTS{${Object.entries({ alertname: alert, alertstate: 'firing', ...labels }).map(([k, v]) => `${k}=${JSON.stringify(v)}`).join(', ')}}`, value: 1 }],
    });
    const silent = (alert: string) => ({ expr: `ALERTS{alertname="${alert}"}`, eval_time: '8m', exp_samples: [] });
    const podLabels = (key: string) => ({ namespace: NS, job: pods[key].job, pod: pods[key].pod, instance: pods[key].pod });
    const tests = [
      {
        interval: '1m',
        input_series: input,
        promql_expr_test: [
          silent('RedisDown'), silent('RedisNoMaster'), silent('RedisReplicaLinkDown'), silent('RedisSentinelQuorumUnreachable'),
          firing('RedisDown', { ...podLabels('master'), severity: 'critical' }, '20m'),
          firing('RedisNoMaster', { namespace: NS, severity: 'critical' }, '20m'),
          // The exporter labels the link with the master it lost.
          firing('RedisReplicaLinkDown', { ...podLabels('replica'), master_host: '127.0.30.1', master_port: '6379', severity: 'critical' }, '20m'),
        ],
      },
    ];
    const sub = tempDir('live-promtool');
    try {
      writeFile(sub, 'rules.yaml', YAML.stringify({ groups }));
      const file = writeFile(sub, 'tests.yaml', YAML.stringify({ rule_files: ['rules.yaml'], evaluation_interval: '1m', tests }));
      const result = run('promtool', ['test', 'rules', file], { cwd: sub });
      expect(result.output).toContain('SUCCESS');
    } finally {
      fs.rmSync(sub, { recursive: true, force: true });
    }
  });
});
