import * as fs from 'fs';
import * as path from 'path';
import { PROJECT_ROOT } from '../src/render/assets';
import { configMapData, findObject, loadDist, podTemplates, renderValues } from './support/manifests';

const production = loadDist('production');
const dev = loadDist('dev');
const env = (container: any, name: string) => container.env.find((e: any) => e.name === name)?.value;
const redisContainer = (objects: any[]) => findObject(objects, 'StatefulSet', 'session-database-redis').spec.template.spec.containers.find((c: any) => c.name === 'redis');

describe('production manifests', () => {
  test('run 1 master + 2 replicas and 3 sentinels with quorum 2', () => {
    expect(findObject(production, 'StatefulSet', 'session-database-redis').spec.replicas).toBe(3);
    const sentinel = findObject(production, 'StatefulSet', 'session-database-sentinel');
    expect(sentinel.spec.replicas).toBe(3);
    const container = sentinel.spec.template.spec.containers[0];
    expect(env(container, 'QUORUM')).toBe('2');
    expect(env(container, 'SENTINEL_NODES')).toBe('3');
    const conf = configMapData(production, 'session-database-redis-config');
    // 4000 ms: tuned so the measured failover stays under 6 s (README, Failover).
    expect(conf['sentinel-monitor.conf']).toContain('sentinel down-after-milliseconds mymaster 4000');
    expect(conf['sentinel-monitor.conf']).toContain('sentinel parallel-syncs mymaster 1');
    expect(conf['sentinel-monitor.conf']).toContain('sentinel failover-timeout mymaster 60000');
  });

  test('keep data on 20Gi claims and spread the pods over nodes', () => {
    const redis = findObject(production, 'StatefulSet', 'session-database-redis');
    expect(redis.spec.volumeClaimTemplates[0].spec.resources.requests.storage).toBe('20Gi');
    expect(redis.spec.volumeClaimTemplates[0].spec.storageClassName).toBeUndefined();
    const pod = redis.spec.template.spec;
    expect(pod.topologySpreadConstraints[0]).toMatchObject({ topologyKey: 'kubernetes.io/hostname', whenUnsatisfiable: 'DoNotSchedule', maxSkew: 1 });
    expect(pod.affinity.podAntiAffinity.preferredDuringSchedulingIgnoredDuringExecution[0].podAffinityTerm.labelSelector.matchLabels).toEqual(redis.spec.selector.matchLabels);
    expect(pod.volumes.map((v: any) => v.name)).not.toContain('data');
  });

  test('probe with authenticated scripts and hand mastership over before stopping', () => {
    const c = redisContainer(production);
    expect(c.livenessProbe.exec.command).toEqual(['sh', '/etc/redis/scripts/redis-probe.sh', 'liveness']);
    expect(c.readinessProbe.exec.command).toEqual(['sh', '/etc/redis/scripts/redis-probe.sh', 'readiness']);
    expect(c.startupProbe.failureThreshold * c.startupProbe.periodSeconds).toBeGreaterThanOrEqual(300);
    expect(c.lifecycle.preStop.exec.command).toEqual(['sh', '/etc/redis/scripts/redis-prestop.sh']);
    const pod = findObject(production, 'StatefulSet', 'session-database-redis').spec.template.spec;
    expect(pod.terminationGracePeriodSeconds).toBe(60);
    expect(c.resources).toEqual({ requests: { cpu: '500m', memory: '1Gi' }, limits: { cpu: '2', memory: '2Gi' } });
    const probe = configMapData(production, 'session-database-redis-scripts')['redis-probe.sh'];
    expect(probe).toContain('cli_as monitor');
  });

  test('have disruption budgets that keep a quorum of sentinels and all but one Redis node', () => {
    expect(findObject(production, 'PodDisruptionBudget', 'session-database-redis').spec.maxUnavailable).toBe(1);
    expect(findObject(production, 'PodDisruptionBudget', 'session-database-sentinel').spec.maxUnavailable).toBe(1);
  });

  test('declare least-privilege ACL users with the default user off', () => {
    const acl = configMapData(production, 'session-database-redis-config')['users.acl'];
    const user = (name: string) => acl.split('\n').find((l) => l.startsWith(`user ${name} `))!;
    expect(user('default')).toMatch(/^user default off .*nocommands/);
    expect(user('app')).toContain('~session:*');
    for (const denied of ['-@dangerous', '-flushall', '-flushdb', '-keys']) expect(user('app')).toContain(denied);
    expect(user('cache')).toContain('~cache:*');
    expect(user('cache')).not.toContain('~session:*');
    expect(user('monitor')).not.toMatch(/~|\+@write|\+set\b/);
    expect(user('replication')).toMatch(/nocommands \+ping \+psync \+replconf$/);
    expect(acl).not.toMatch(/^user .* >\S+/m); // no plaintext password on any user
    for (const u of ['app', 'cache', 'monitor', 'cleanup', 'backup', 'replication', 'sentinel']) {
      expect(user(u)).toContain(`%PASSWORD:${u}%`);
    }
  });

  test('mount the passwords from the configured Secret, never as literals', () => {
    const pod = findObject(production, 'StatefulSet', 'session-database-redis').spec.template.spec;
    expect(pod.volumes.find((v: any) => v.name === 'secrets').secret.secretName).toBe('session-database-auth');
    const dir = path.join(PROJECT_ROOT, 'dist/production');
    const files = fs.readdirSync(dir, { recursive: true, encoding: 'utf8' }).filter((f) => fs.statSync(path.join(dir, f)).isFile());
    expect(files).toContain(path.join('tests', 'health-check.yaml'));
    const text = files.map((f) => fs.readFileSync(path.join(dir, f), 'utf8')).join('\n');
    expect(text).not.toMatch(/^kind: Secret$/m);
  });
});

describe('dev manifests', () => {
  test('run one standalone Redis on the claim of production (claim templates never change on a live StatefulSet), without sentinels or budgets', () => {
    const redis = findObject(dev, 'StatefulSet', 'session-database-redis');
    expect(redis.spec.replicas).toBe(1);
    const productionRedis = findObject(production, 'StatefulSet', 'session-database-redis');
    expect(redis.spec.volumeClaimTemplates).toEqual(productionRedis.spec.volumeClaimTemplates);
    expect(redis.spec.template.spec.volumes.find((v: any) => v.name === 'data')).toBeUndefined();
    expect(env(redisContainer(dev), 'REDIS_MODE')).toBe('standalone');
    expect(dev.filter((o) => o.metadata.name.includes('sentinel'))).toEqual([]);
    expect(dev.filter((o) => o.kind === 'PodDisruptionBudget' && o.metadata.name.startsWith('session-database-redis'))).toEqual([]);
  });
});

describe('every environment', () => {
  test.each([['dev', dev], ['production', production]])('%s: every object has the standard labels, a stable name and its namespace', (_, objects) => {
    for (const o of objects) {
      const namespace = objects === dev ? 'session-dev' : 'session-store';
      expect(o.metadata.name).toMatch(o.kind === 'Namespace' ? new RegExp(`^${namespace}$`) : /^session-database(-[a-z0-9-]+)?$/);
      for (const label of ['name', 'instance', 'component', 'part-of', 'version', 'managed-by']) {
        expect(o.metadata.labels?.[`app.kubernetes.io/${label}`]).toBeTruthy();
      }
      if (o.kind !== 'Namespace') expect(o.metadata.namespace).toBe(namespace);
    }
  });

  test.each([['dev', dev], ['production', production]])('%s: each Redis StatefulSet is reached through a ClusterIP Service and a headless Service that lists pods before they are ready', (_, objects) => {
    const statefulSets = objects.filter((o) => o.kind === 'StatefulSet' && /-(redis|sentinel)$/.test(o.metadata.name));
    expect(statefulSets.length).toBe(objects === dev ? 1 : 2);
    for (const sts of statefulSets) {
      const pod = sts.spec.template;
      const port = pod.spec.containers[0].ports[0];
      const service = findObject(objects, 'Service', sts.metadata.name);
      const headless = findObject(objects, 'Service', sts.spec.serviceName);
      expect(sts.spec.serviceName).toBe(`${sts.metadata.name}-headless`);
      // Pods find their peers (and sentinels the master) by DNS while they start, before any probe passes.
      expect(headless.spec).toMatchObject({ clusterIP: 'None', publishNotReadyAddresses: true });
      expect(service.spec.type).toBe('ClusterIP');
      // Every pod starts at once: a replica waits for the master and the sentinels for each other.
      expect(sts.spec.podManagementPolicy).toBe('Parallel');
      for (const svc of [service, headless]) {
        expect(svc.spec.selector).toEqual(sts.spec.selector.matchLabels);
        expect(pod.metadata.labels).toMatchObject(svc.spec.selector);
        expect(svc.spec.ports).toEqual([{ name: port.name, port: port.containerPort, protocol: 'TCP', targetPort: port.name }]);
      }
    }
  });

  test.each([['dev', dev], ['production', production]])('%s: workloads write only to mounted volumes', (_, objects) => {
    for (const { spec } of podTemplates(objects)) {
      for (const c of [...spec.containers, ...(spec.initContainers ?? [])]) {
        expect(c.securityContext.readOnlyRootFilesystem).toBe(true);
      }
    }
  });
});

describe('persistence off', () => {
  test('keeps data on an emptyDir and renders no claim', () => {
    const objects = renderValues({ auth: { existingSecret: 's' }, redis: { persistence: { enabled: false } } });
    const redis = findObject(objects, 'StatefulSet', 'session-database-redis');
    expect(redis.spec.volumeClaimTemplates).toBeUndefined();
    expect(redis.spec.template.spec.volumes.find((v: any) => v.name === 'data')).toEqual({ name: 'data', emptyDir: {} });
  });
});
