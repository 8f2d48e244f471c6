import { HELM_MAJORS } from '../scripts/helm';
import { SERVICES, ServicePath } from '../src/config/sections/service';
import { FULLNAME, K8sObject, findObject, renderValues } from './support/manifests';
import { byName, helmTemplate, renderedObjects } from './support/helm';
import { schemaErrors } from './support/kubernetes-schema';

/** Each Service the values configure: its section and the object it makes (`<fullname>-<suffix>`). */
const SUFFIX: Record<ServicePath, string> = {
  'redis.service': 'redis',
  'redis.sentinel.service': 'sentinel',
  'redis.masterEndpoint.service': 'master',
  'infinispan.service': 'infinispan',
  'monitoring.standalone.prometheus.service': 'prometheus',
  'monitoring.standalone.alertmanager.service': 'alertmanager',
  'monitoring.standalone.grafana.service': 'grafana',
};

/** Where a Service's component (the pods it selects) is not its name suffix. */
const COMPONENT: Partial<Record<ServicePath, string>> = { 'redis.masterEndpoint.service': 'haproxy' };

function setAt(values: any, path: string, value: unknown) {
  const keys = path.split('.');
  let node = values;
  for (const key of keys.slice(0, -1)) node = node[key] ??= {};
  node[keys[keys.length - 1]] = value;
}

/** Every Service exposed a different way, with node ports 30100, 30101, … */
function values() {
  const v: any = {
    auth: { existingSecret: 'session-database-auth' },
    infinispan: { enabled: true },
    monitoring: { mode: 'standalone', standalone: { grafana: { adminSecret: 'grafana-admin' } } },
  };
  (Object.keys(SERVICES) as ServicePath[]).forEach((path, i) => {
    const lb = i % 2 === 0;
    setAt(v, path, {
      type: lb ? 'LoadBalancer' : 'NodePort',
      annotations: { 'example.com/exposed': path },
      labels: { team: 'sessions' },
      loadBalancerSourceRanges: lb ? ['10.0.0.0/8', '192.168.0.0/16'] : [],
      externalTrafficPolicy: 'Local',
      nodePorts: Object.fromEntries((SERVICES[path] as readonly string[]).map((p) => [p, 30100 + i])),
    });
  });
  return v;
}

const services = (objects: readonly K8sObject[]) => objects.filter((o) => o.kind === 'Service');

describe('Service settings', () => {
  const objects = renderValues(values());

  test.each((Object.keys(SERVICES) as ServicePath[]).map((path, i) => [path, i] as const))('%s sets type, annotations, labels, ranges, policy and node port', (path, i) => {
    const service = findObject(objects, 'Service', `${FULLNAME}-${SUFFIX[path]}`);
    const lb = i % 2 === 0;
    expect(service.spec.type).toBe(lb ? 'LoadBalancer' : 'NodePort');
    expect(service.metadata.annotations).toEqual({ 'example.com/exposed': path });
    expect(service.metadata.labels?.team).toBe('sessions');
    expect(service.metadata.labels?.['app.kubernetes.io/component']).toBe(COMPONENT[path] ?? SUFFIX[path]);
    expect(service.spec.externalTrafficPolicy).toBe('Local');
    if (lb) expect(service.spec.loadBalancerSourceRanges).toEqual(['10.0.0.0/8', '192.168.0.0/16']);
    else expect(service.spec.loadBalancerSourceRanges).toBeUndefined();
    expect(service.spec.ports.map((p: any) => p.nodePort)).toEqual([30100 + i]);
    expect(schemaErrors(service)).toEqual([]);
  });

  test('headless Services keep no type and no node ports', () => {
    const headless = services(objects).filter((s) => s.spec.clusterIP === 'None');
    expect(headless.map((s) => s.metadata.name).sort()).toEqual([`${FULLNAME}-haproxy-headless`, `${FULLNAME}-infinispan-ping`, `${FULLNAME}-redis-headless`, `${FULLNAME}-sentinel-headless`]);
    for (const s of headless) {
      expect(s.spec.type).toBeUndefined();
      expect(s.spec.ports.every((p: any) => p.nodePort === undefined)).toBe(true);
    }
  });

  test('by default every Service is ClusterIP with nothing added', () => {
    for (const s of services(renderValues({ auth: { existingSecret: 'x' }, infinispan: { enabled: true } }))) {
      expect(s.metadata.annotations).toBeUndefined();
      expect(s.spec.externalTrafficPolicy).toBeUndefined();
      expect(s.spec.loadBalancerSourceRanges).toBeUndefined();
      if (s.spec.clusterIP !== 'None') expect(s.spec.type).toBe('ClusterIP');
    }
  });

  test.each(HELM_MAJORS)('Helm %i renders the same Services', (major) => {
    const chart = byName(services(renderedObjects(helmTemplate(major, values()))));
    expect(chart).toEqual(byName(services(objects)));
  });
});
