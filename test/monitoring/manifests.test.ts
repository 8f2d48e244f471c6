import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { PodMonitor } from '@kubernetes-models/prometheus-operator/monitoring.coreos.com/v1/PodMonitor';
import { ConfigError } from '../../src/config/load';
import { ACL_USERS, PATHS } from '../../src/components/redis/contract';
import { byName, helmTemplate, renderedObjects } from '../support/helm';
import { UnknownFieldChecker, schemaErrors } from '../support/kubernetes-schema';
import { K8sObject, loadDist, podTemplates } from '../support/manifests';
import { checkPod } from '../support/pod-security-admission';
import { STANDALONE, YAML, configMapData, findObject, renderValues, sentinelValues } from './support';

const MONITORING_KINDS = new Set(['PodMonitor', 'ServiceMonitor', 'PrometheusRule']);
const exporterOf = (objects: K8sObject[], sts: string) =>
  findObject(objects, 'StatefulSet', sts).spec.template.spec.containers.find((c: any) => c.name === 'exporter');

const operator = renderValues(sentinelValues({ mode: 'operator' }));
const standalone = renderValues(sentinelValues(STANDALONE));
const off = renderValues(sentinelValues({ mode: 'off' }));
const monitoringObjects = (objects: K8sObject[]) =>
  // NetworkPolicies for these pods belong to the network-policies component.
  objects.filter((o) => o.kind !== 'NetworkPolicy').filter((o) => MONITORING_KINDS.has(o.kind) || /-(prometheus|alertmanager|grafana|dashboards)/.test(o.metadata.name) || o.metadata.labels?.['app.kubernetes.io/component'] === 'monitoring');

describe('monitoring manifests', () => {
  test('operator mode: PodMonitors for Redis and Sentinel, one PrometheusRule, dashboards with the sidecar label', () => {
    const kinds = monitoringObjects(operator).map((o) => `${o.kind}/${o.metadata.name}`).sort();
    expect(kinds).toEqual([
      'ConfigMap/session-database-dashboards',
      'PodMonitor/session-database-haproxy',
      'PodMonitor/session-database-redis',
      'PodMonitor/session-database-sentinel',
      'PrometheusRule/session-database-alerts',
    ]);
    expect(findObject(operator, 'ConfigMap', 'session-database-dashboards').metadata.labels).toMatchObject({ grafana_dashboard: '1', 'app.kubernetes.io/component': 'monitoring' });
    const custom = renderValues(sentinelValues({ mode: 'operator', dashboards: { label: 'grafana.example.com/dashboard', labelValue: 'sessions' } }));
    expect(findObject(custom, 'ConfigMap', 'session-database-dashboards').metadata.labels!['grafana.example.com/dashboard']).toBe('sessions');
  });

  test('the PodMonitors select the pods of their component on the exporter port and set the job the rules select', () => {
    for (const component of ['redis', 'sentinel']) {
      const monitor = findObject(operator, 'PodMonitor', `session-database-${component}`);
      const sts = findObject(operator, 'StatefulSet', `session-database-${component}`);
      expect(monitor.spec.selector.matchLabels).toEqual(sts.spec.selector.matchLabels);
      const endpoint = monitor.spec.podMetricsEndpoints[0];
      expect(exporterOf(operator, `session-database-${component}`).ports).toEqual([{ name: endpoint.port, containerPort: 9121, protocol: 'TCP' }]);
      expect(endpoint.relabelings).toEqual([{ action: 'replace', targetLabel: 'job', replacement: `session-database-${component}` }]);
      expect(monitor.spec.namespaceSelector.matchNames).toEqual(['session-store']);
    }
  });

  test('redis standalone mode has no Sentinel PodMonitor', () => {
    const objects = renderValues({ redis: { mode: 'standalone', replicas: 1, minReplicasToWrite: 0 }, auth: { existingSecret: 's' }, monitoring: { mode: 'operator' } });
    expect(objects.filter((o) => o.kind === 'PodMonitor').map((o) => o.metadata.name)).toEqual(['session-database-redis']);
  });

  test('ServiceMonitor/PodMonitor/PrometheusRule objects pass the prometheus-operator schema and have no unknown fields', () => {
    const crds = [...operator].filter((o) => MONITORING_KINDS.has(o.kind));
    expect(crds.length).toBe(4);
    for (const o of crds) expect(schemaErrors(o)).toEqual([]);
    const checker = new UnknownFieldChecker(crds);
    for (const o of crds) expect(checker.check(o)).toEqual([]);
    // The validator can fail: a PodMonitor endpoint with a non-string port.
    const broken = structuredClone(findObject(operator, 'PodMonitor', 'session-database-redis'));
    broken.spec.podMetricsEndpoints[0].port = 9121;
    expect(() => new PodMonitor(broken as any).validate()).toThrow();
  });

  test('every standalone and operator object passes its Kubernetes schema', () => {
    for (const o of [...monitoringObjects(operator), ...monitoringObjects(standalone)]) expect(schemaErrors(o)).toEqual([]);
  });

  test('the exporter sidecar logs in as monitor with the password from the auth Secret, on the pod IP its Redis binds', () => {
    const redis = exporterOf(operator, 'session-database-redis');
    const sentinel = exporterOf(operator, 'session-database-sentinel');
    const env = (c: any) => Object.fromEntries(c.env.map((e: any) => [e.name, e.value ?? e.valueFrom]));
    expect(env(redis)).toEqual({
      POD_NAME: { fieldRef: { fieldPath: 'metadata.name' } },
      POD_IP: { fieldRef: { fieldPath: 'status.podIP' } },
      REDIS_ADDR: 'redis://$(POD_IP):6379',
      REDIS_USER: 'monitor',
      REDIS_PASSWORD: { secretKeyRef: { name: 'session-database-auth', key: 'monitor-password' } },
      REDIS_EXPORTER_WEB_LISTEN_ADDRESS: ':9121',
    });
    expect(env(sentinel).REDIS_ADDR).toBe('redis://$(POD_IP):26379');
    expect(ACL_USERS).toContain('monitor');
    expect(PATHS.secrets).toBe('/etc/redis/secrets');
    expect(redis.image).toBe('docker.io/oliver006/redis_exporter:v1.67.0');
    expect(redis.securityContext).toMatchObject({ runAsNonRoot: true, readOnlyRootFilesystem: true, allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] } });
    expect(redis.resources.limits).toEqual({ cpu: '200m', memory: '64Mi' });
  });

  test('off mode: no exporter sidecars and no monitoring objects', () => {
    expect(monitoringObjects(off)).toEqual([]);
    for (const t of podTemplates(off)) expect(t.spec.containers.map((c: any) => c.name)).not.toContain('exporter');
    expect(podTemplates(operator).filter((t) => t.spec.containers.some((c: any) => c.name === 'exporter')).map((t) => t.owner.metadata.name).sort())
      .toEqual(['session-database-redis', 'session-database-sentinel']);
  });

  test('standalone mode: Prometheus, Alertmanager and Grafana with config, claims, Services and ServiceAccounts without API tokens', () => {
    const kinds = monitoringObjects(standalone).map((o) => `${o.kind}/${o.metadata.name}`).sort();
    expect(kinds).toMatchSnapshot();
    for (const name of ['prometheus', 'alertmanager', 'grafana']) {
      const sa = findObject(standalone, 'ServiceAccount', `session-database-${name}`);
      expect(sa.automountServiceAccountToken).toBe(false);
      expect(findObject(standalone, 'Service', `session-database-${name}`).spec.selector['app.kubernetes.io/component']).toBe(name);
    }
    expect(standalone.filter((o) => ['Role', 'ClusterRole', 'RoleBinding', 'ClusterRoleBinding'].includes(o.kind) && /prometheus/.test(o.metadata.name))).toEqual([]);
    expect(standalone.filter((o) => o.kind === 'Ingress')).toEqual([]);
  });

  test('every pod template passes Pod Security "restricted" in every mode', () => {
    for (const objects of [operator, standalone, off]) {
      for (const t of podTemplates(objects)) expect([t.owner.metadata.name, checkPod({ metadata: t.metadata, spec: t.spec })]).toEqual([t.owner.metadata.name, []]);
    }
  });

  test('Grafana takes its admin from the named Secret; standalone mode without one is refused with one clear error', () => {
    const grafana = findObject(standalone, 'Deployment', 'session-database-grafana').spec.template.spec;
    const env = Object.fromEntries(grafana.containers[0].env.map((e: any) => [e.name, e.value]));
    expect(env.GF_SECURITY_ADMIN_PASSWORD__FILE).toBe('/etc/grafana/admin/admin-password');
    expect(env.GF_SECURITY_ADMIN_USER__FILE).toBe('/etc/grafana/admin/admin-user');
    // No password in the manifest: only the __FILE variants, nothing that could default to admin/admin.
    expect(Object.keys(env).filter((k) => /PASSWORD|ADMIN_USER$/.test(k))).toEqual(['GF_SECURITY_ADMIN_PASSWORD__FILE']);
    expect(Object.values(env)).not.toContain('admin');
    expect(grafana.volumes.find((v: any) => v.name === 'admin').secret.secretName).toBe('grafana-admin');
    expect(standalone.filter((o) => o.kind === 'Secret')).toEqual([]);
    let error: unknown;
    try {
      renderValues(sentinelValues({ mode: 'standalone' }));
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).problems).toEqual([expect.stringMatching(/^values\/test\.yaml: monitoring\.standalone\.grafana\.adminSecret is empty .*admin\/admin.*name it here/)]);
  });

  test('the Grafana Ingress needs a host and a TLS Secret, and serves Grafana over TLS', () => {
    const ingressValues = (ingress: object) => sentinelValues({ ...STANDALONE, standalone: { ...STANDALONE.standalone, ingress } });
    expect(() => renderValues(ingressValues({ enabled: true, host: 'grafana.example.com' }))).toThrow(/monitoring\.standalone\.ingress\.tlsSecret is empty/);
    expect(() => renderValues(ingressValues({ enabled: true, tlsSecret: 'grafana-tls' }))).toThrow(/monitoring\.standalone\.ingress\.host is empty/);
    const objects = renderValues(ingressValues({ enabled: true, host: 'grafana.example.com', tlsSecret: 'grafana-tls', className: 'nginx' }));
    const ingress = findObject(objects, 'Ingress', 'session-database-grafana');
    expect(ingress.spec.tls).toEqual([{ hosts: ['grafana.example.com'], secretName: 'grafana-tls' }]);
    expect(ingress.spec.ingressClassName).toBe('nginx');
    expect(ingress.spec.rules[0].http.paths[0].backend.service).toEqual({ name: 'session-database-grafana', port: { name: 'http' } });
    const env = findObject(objects, 'Deployment', 'session-database-grafana').spec.template.spec.containers[0].env;
    expect(env).toContainEqual({ name: 'GF_SERVER_ROOT_URL', value: 'https://grafana.example.com/' });
    expect(env).toContainEqual({ name: 'GF_SECURITY_COOKIE_SECURE', value: 'true' });
  });

  test('an Alertmanager config Secret replaces the generated config', () => {
    const objects = renderValues(sentinelValues({ ...STANDALONE, standalone: { ...STANDALONE.standalone, alertmanager: { configSecret: 'am-config' } } }));
    const volume = findObject(objects, 'StatefulSet', 'session-database-alertmanager').spec.template.spec.volumes[0];
    expect(volume).toEqual({ name: 'config', secret: { secretName: 'am-config', items: [{ key: 'alertmanager.yml', path: 'alertmanager.yml' }] } });
  });

  test('a warning memory ratio that is not below the critical one is refused', () => {
    expect(() => renderValues(sentinelValues({ mode: 'operator', alerts: { memoryWarningRatio: 0.95 } }))).toThrow(/memoryWarningRatio is 0\.95, not below memoryCriticalRatio \(0\.9\)/);
  });

  test('production monitors through the operator and dev does not monitor', () => {
    expect(loadDist('production').filter((o) => o.kind === 'PrometheusRule').length).toBe(1);
    expect(loadDist('dev').filter((o) => MONITORING_KINDS.has(o.kind))).toEqual([]);
  });
});

describe('monitoring modes in the Helm chart', () => {
  const variants: Record<string, object> = {
    operator: sentinelValues({ mode: 'operator' }),
    standalone: sentinelValues({
      ...STANDALONE,
      standalone: { ...STANDALONE.standalone, ingress: { enabled: true, host: 'grafana.example.com', tlsSecret: 'grafana-tls' }, prometheus: { kubeStateMetricsTarget: 'ksm.kube-system.svc:8080' } },
    }),
    off: sentinelValues({ mode: 'off' }),
    'operator with TLS': sentinelValues({ mode: 'operator' }, { tls: { enabled: true } }),
    'operator, changed thresholds and names': sentinelValues(
      { mode: 'operator', scrapeInterval: '15s', alerts: { downFor: '2m', memoryWarningRatio: 0.7, backupMaxAgeHours: 12 }, dashboards: { label: 'dash', labelValue: 'yes' } },
      { fullnameOverride: 'sessions', redis: { mode: 'sentinel', replicas: 5, sentinel: { replicas: 5, quorum: 3 } } },
    ),
  };
  for (const [name, values] of Object.entries(variants)) {
    for (const major of [3, 4] as const) {
      test(`helm ${major} template renders the same objects as renderValues (${name})`, () => {
        const helmObjects = byName(renderedObjects(helmTemplate(major, values)));
        const ours = byName(renderValues(values));
        expect(Object.keys(helmObjects).sort()).toEqual(Object.keys(ours).sort());
        for (const key of Object.keys(ours)) expect([key, helmObjects[key]]).toEqual([key, ours[key]]);
      });
    }
  }

  test('helm template --set monitoring.mode=standalone without an admin Secret fails with the same message', () => {
    const result = helmTemplate(3, sentinelValues({ mode: 'operator' }), ['--set', 'monitoring.mode=standalone']);
    expect(result.status).not.toBe(0);
    expect(result.stderr).toContain('monitoring.standalone.grafana.adminSecret is empty but standalone monitoring runs Grafana');
  });

  test('a bare `mode: off` in a Helm values file (YAML 1.1 boolean) is refused naming the key', () => {
    const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'sdb-mon-values-')), 'values.yaml');
    fs.writeFileSync(file, 'monitoring:\n  mode: off\n');
    const result = helmTemplate(3, file);
    expect(result.status).not.toBe(0);
    expect(result.stderr).toContain('monitoring.mode: Invalid type. Expected: string, given: boolean');
  });

  test('helm template --set monitoring.mode=off drops every monitoring object and sidecar', () => {
    const objects = renderedObjects(helmTemplate(4, sentinelValues({ mode: 'operator' }), ['--set', 'monitoring.mode=off']));
    expect(monitoringObjects(objects)).toEqual([]);
    for (const t of podTemplates(objects)) expect(t.spec.containers.map((c: any) => c.name)).not.toContain('exporter');
  });

  test('the Helm-rendered rules keep the Prometheus templates and the config thresholds', () => {
    const objects = renderedObjects(helmTemplate(3, variants['operator, changed thresholds and names']));
    const rules = objects.find((o) => o.kind === 'PrometheusRule')!.spec.groups.flatMap((g: any) => g.rules);
    const high = rules.find((r: any) => r.alert === 'RedisMemoryHigh');
    expect(high.expr).toContain('> 0.7');
    expect(high.annotations.summary).toContain('{{ $labels.pod }}');
    expect(rules.find((r: any) => r.alert === 'RedisDown').for).toBe('2m');
    expect(YAML.stringify(rules)).toContain('job="sessions-redis"');
    const dash = configMapData(objects, 'sessions-dashboards');
    expect(JSON.parse(dash['sessions.json']).panels.some((p: any) => p.targets.some((t: any) => t.legendFormat.includes('{{pod}}')))).toBe(true);
  });
});
