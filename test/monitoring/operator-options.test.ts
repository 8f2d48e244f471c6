import { HELM_MAJORS } from '../../scripts/helm';
import { byName, helmTemplate, renderedObjects } from '../support/helm';
import { schemaErrors } from '../support/kubernetes-schema';
import { FULLNAME, K8sObject, findObject, podTemplates, renderValues } from '../support/manifests';
import { sentinelValues } from './support';

const relabelings = [{ action: 'replace', sourceLabels: ['__meta_kubernetes_pod_node_name'], targetLabel: 'node' }];
const metricRelabelings = [{ action: 'drop', sourceLabels: ['__name__'], regex: 'redis_commands_duration_seconds_total' }];
const options = (monitor: string) =>
  sentinelValues({ mode: 'operator', labels: { release: 'kube-prometheus-stack' }, monitor, relabelings, metricRelabelings });

const operatorObjects = (objects: readonly K8sObject[]) =>
  objects.filter((o) => o.apiVersion === 'monitoring.coreos.com/v1' || (o.kind === 'Service' && /-metrics$/.test(o.metadata.name)));

const matches = (selector: Record<string, string>, labels: Record<string, string> = {}) => Object.entries(selector).every(([k, v]) => labels[k] === v);

describe.each(['PodMonitor', 'ServiceMonitor'])('operator mode with %s, monitor labels and relabelings', (monitor) => {
  const objects = renderValues(options(monitor));
  const monitors = objects.filter((o) => o.kind === 'PodMonitor' || o.kind === 'ServiceMonitor');

  test('one monitor of the chosen kind per component, none of the other', () => {
    expect(monitors.map((m) => `${m.kind}/${m.metadata.name}`).sort()).toEqual([`${monitor}/${FULLNAME}-haproxy`, `${monitor}/${FULLNAME}-redis`, `${monitor}/${FULLNAME}-sentinel`]);
  });

  test('the monitors and the PrometheusRule carry monitoring.labels; the pods do not', () => {
    const rule = findObject(objects, 'PrometheusRule', `${FULLNAME}-alerts`);
    for (const o of [...monitors, rule]) expect(o.metadata.labels).toMatchObject({ release: 'kube-prometheus-stack', 'app.kubernetes.io/component': 'monitoring' });
    for (const t of podTemplates(objects)) expect(t.metadata.labels?.release).toBeUndefined();
  });

  test('the endpoints keep the job relabeling first, then relabelings and metricRelabelings from the values', () => {
    for (const m of monitors) {
      const [endpoint] = m.kind === 'PodMonitor' ? m.spec.podMetricsEndpoints : m.spec.endpoints;
      expect(endpoint.relabelings).toEqual([{ action: 'replace', targetLabel: 'job', replacement: m.metadata.name }, ...relabelings]);
      expect(endpoint.metricRelabelings).toEqual(metricRelabelings);
      expect(endpoint.port).toBe('metrics');
    }
  });

  test('every operator object is valid against its schema', () => {
    for (const o of operatorObjects(objects)) expect(schemaErrors(o)).toEqual([]);
  });

  test('a monitor selects exactly the exporter pods of its component (through the metrics Service for a ServiceMonitor)', () => {
    for (const m of monitors) {
      const component = m.metadata.name.replace(`${FULLNAME}-`, '');
      let podSelector = m.spec.selector.matchLabels;
      if (m.kind === 'ServiceMonitor') {
        const services = objects.filter((o) => o.kind === 'Service' && matches(podSelector, o.metadata.labels));
        expect(services.map((s) => s.metadata.name)).toEqual([`${FULLNAME}-${component}-metrics`]);
        // The redis_exporter sidecars, or HAProxy's own metrics (the master endpoint).
        expect(services[0].spec.ports).toEqual([{ name: 'metrics', port: component === 'haproxy' ? 8404 : 9121, targetPort: 'metrics', protocol: 'TCP' }]);
        podSelector = services[0].spec.selector;
      }
      const pods = podTemplates(objects).filter((t) => matches(podSelector, t.metadata.labels));
      expect(pods.map((p) => p.owner.metadata.name)).toEqual([`${FULLNAME}-${component}`]);
      expect(pods[0].spec.containers.flatMap((c: any) => c.ports ?? []).some((p: any) => p.name === 'metrics')).toBe(true);
    }
  });

  test.each(HELM_MAJORS)('Helm %i renders the same operator objects', (major) => {
    expect(byName(operatorObjects(renderedObjects(helmTemplate(major, options(monitor)))))).toEqual(byName(operatorObjects(objects)));
  });
});

test('by default: PodMonitors, no metrics Services, no ServiceMonitors, no metricRelabelings', () => {
  const objects = renderValues(sentinelValues({ mode: 'operator' }));
  expect(objects.filter((o) => o.kind === 'ServiceMonitor' || /-metrics$/.test(o.metadata.name))).toEqual([]);
  const monitors = objects.filter((o) => o.kind === 'PodMonitor');
  expect(monitors).toHaveLength(3); // Redis, Sentinel and the master endpoint (HAProxy)
  for (const m of monitors) {
    expect(m.spec.podMetricsEndpoints[0].metricRelabelings).toBeUndefined();
    expect(m.metadata.labels?.release).toBeUndefined();
  }
});
