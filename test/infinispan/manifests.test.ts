import * as fs from 'fs';
import * as path from 'path';
import { HELM_MAJORS } from '../../scripts/helm';
import { PROJECT_ROOT } from '../../src/render/assets';
import { helmTemplate, renderedObjects } from '../support/helm';
import { FULLNAME, K8sObject, findObject, loadDist } from '../support/manifests';
import { checkPod } from '../support/pod-security-admission';
import { infinispanObjects, infinispanValues, renderInfinispan, statefulSet } from './values';

const name = (suffix: string) => `${FULLNAME}-${suffix}`;
const container = (sts: K8sObject) => sts.spec.template.spec.containers[0];
const env = (sts: K8sObject) => Object.fromEntries(container(sts).env.map((e: any) => [e.name, e.value ?? e.valueFrom]));

describe('Infinispan is optional', () => {
  test.each(['dev', 'production'])('dist/%s has no Infinispan object (infinispan.enabled defaults to false)', (envName) => {
    expect(infinispanObjects(loadDist(envName))).toEqual([]);
    expect(fs.existsSync(path.join(PROJECT_ROOT, 'dist', envName, 'infinispan.yaml'))).toBe(false);
  });

  test('the chart carries the Infinispan template behind infinispan.enabled', () => {
    const template = fs.readFileSync(path.join(PROJECT_ROOT, 'charts/session-database/templates/infinispan.yaml'), 'utf8');
    // After the values fill every template starts with, everything is behind the switch.
    expect(template.split('\n').slice(0, 2)).toEqual(['{{- include "session-database.values" . -}}', '{{- if .Values.infinispan.enabled }}']);
  });
});

describe('the Infinispan objects when enabled', () => {
  const objects = renderInfinispan();
  const sts = statefulSet(objects);
  const pod = sts.spec.template.spec;
  const c = container(sts);

  test('are a ServiceAccount, the config, a client and a ping Service, the StatefulSet and its budget', () => {
    expect(infinispanObjects(objects).map((o) => `${o.kind}/${o.metadata.name}`)).toEqual([
      `ServiceAccount/${name('infinispan')}`,
      `ConfigMap/${name('infinispan-config')}`,
      `Service/${name('infinispan')}`,
      `Service/${name('infinispan-ping')}`,
      `StatefulSet/${name('infinispan')}`,
      `PodDisruptionBudget/${name('infinispan')}`,
    ]);
  });

  test('run the configured image as uid 185 under the restricted Pod Security profile', () => {
    expect(c.image).toBe('quay.io/infinispan/server:15.0');
    expect(pod.securityContext).toMatchObject({ runAsNonRoot: true, runAsUser: 185, runAsGroup: 185, fsGroup: 185, seccompProfile: { type: 'RuntimeDefault' } });
    expect(c.securityContext).toMatchObject({ readOnlyRootFilesystem: true, allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] } });
    expect(checkPod({ metadata: sts.spec.template.metadata, spec: pod })).toEqual([]);
  });

  test('pass every Pod Security "restricted" check in the static and both Helm renderings', () => {
    const renderings = [objects, ...HELM_MAJORS.map((m) => renderedObjects(helmTemplate(m, infinispanValues({ infinispan: { metrics: { serviceMonitor: { enabled: true } } } }))))];
    for (const rendering of renderings) {
      const s = statefulSet(rendering);
      expect(checkPod({ metadata: s.spec.template.metadata, spec: s.spec.template.spec })).toEqual([]);
    }
  });

  test('give every path the server, the CLI and the JVM write a writable volume', () => {
    const mounts = Object.fromEntries(c.volumeMounts.map((m: any) => [m.mountPath, m]));
    const volumes = new Set([...pod.volumes.map((v: any) => v.name), ...sts.spec.volumeClaimTemplates.map((t: any) => t.metadata.name)]);
    for (const m of c.volumeMounts) expect(volumes).toContain(m.name);
    const e = env(sts);
    for (const writable of ['/opt/infinispan/server/data', '/opt/infinispan/server/log', '/tmp', e.IDENTITIES_DIR, e.HOME]) {
      expect([writable, mounts[writable]?.readOnly ?? false]).toEqual([writable, false]);
    }
    expect(mounts['/opt/infinispan/server/data'].name).toBe('data');
    expect(mounts[e.CONFIG_DIR]).toMatchObject({ name: 'config', readOnly: true });
    expect(mounts[e.SECRETS_DIR]).toMatchObject({ name: 'secrets', readOnly: true });
    expect(pod.volumes.find((v: any) => v.name === 'identities').emptyDir).toEqual({ medium: 'Memory', sizeLimit: '4Mi' });
  });

  test('mount only the two Infinispan keys of the auth Secret, never the Redis passwords', () => {
    expect(pod.volumes.find((v: any) => v.name === 'secrets').secret).toEqual({
      secretName: 'session-auth',
      defaultMode: 0o440,
      items: [
        { key: 'infinispan-username', path: 'infinispan-username' },
        { key: 'infinispan-password', path: 'infinispan-password' },
      ],
    });
  });

  test('carry no credential: no Secret in the static render, no password or admin user in any value', () => {
    expect(objects.filter((o) => o.kind === 'Secret')).toEqual([]);
    // The identities batch names the password only as the placeholder start.sh fills on the way to the CLI.
    const text = JSON.stringify(infinispanObjects(objects)).split('-p \\"$ISPN_PASSWORD\\"').join('');
    expect(text).not.toMatch(/"(USER|PASS|ISPN_USERNAME|ISPN_PASSWORD)"/);
    expect(text).not.toMatch(/-p [^"\s]|--password|changeme|admin:/i);
    expect(c.env.every((e: any) => !/password/i.test(e.name) || /_KEY$/.test(e.name))).toBe(true);
  });

  test('take replicas, resources, JAVA_OPTIONS and the claim size from the values', () => {
    const custom = statefulSet(
      renderInfinispan({
        infinispan: {
          replicas: 5,
          javaOptions: '-Xmx900m -XX:+UseG1GC',
          resources: { requests: { cpu: '500m', memory: '1Gi' }, limits: { cpu: '2', memory: '2Gi' } },
          persistence: { size: '10Gi', storageClass: 'fast' },
        },
      }),
    );
    expect(custom.spec.replicas).toBe(5);
    expect(env(custom).JAVA_OPTIONS).toBe('-Xmx900m -XX:+UseG1GC');
    expect(container(custom).resources).toEqual({ requests: { cpu: '500m', memory: '1Gi' }, limits: { cpu: '2', memory: '2Gi' } });
    expect(custom.spec.volumeClaimTemplates).toEqual([
      { metadata: { name: 'data' }, spec: { accessModes: ['ReadWriteOnce'], storageClassName: 'fast', resources: { requests: { storage: '10Gi' } } } },
    ]);
    expect(sts.spec.volumeClaimTemplates[0].spec.storageClassName).toBeUndefined();
  });

  test('find each other with JGroups DNS_PING on the headless ping Service', () => {
    const ping = findObject(objects, 'Service', name('infinispan-ping'));
    expect(ping.spec).toMatchObject({ clusterIP: 'None', publishNotReadyAddresses: true });
    expect(ping.spec.ports.map((p: any) => [p.name, p.port])).toEqual([['jgroups', 7800], ['fd-sock', 57800]]);
    expect(sts.spec.serviceName).toBe(name('infinispan-ping'));
    // Members find each other through the ping Service, ready or not.
    expect(sts.spec.podManagementPolicy).toBe('OrderedReady');
    expect(env(sts).JGROUPS_DNS_QUERY).toBe(`${name('infinispan-ping')}.sessions.svc.cluster.local`);
    expect(c.ports.map((p: any) => [p.name, p.containerPort])).toEqual([['infinispan', 11222], ['jgroups', 7800], ['fd-sock', 57800]]);
    const client = findObject(objects, 'Service', name('infinispan'));
    expect(client.spec).toMatchObject({ type: 'ClusterIP', ports: [{ name: 'infinispan', port: 11222, targetPort: 'infinispan' }] });
    expect(client.spec.selector).toEqual(ping.spec.selector);
    expect(client.spec.selector).toEqual(sts.spec.selector.matchLabels);
  });

  test('open the ports and set the properties of the JGroups kubernetes stack of Infinispan 15', () => {
    const stack = JSON.parse(fs.readFileSync(path.join(__dirname, 'fixtures', 'infinispan-15.0-schema.json'), 'utf8')).jgroupsKubernetesStack;
    const ports = Object.fromEntries(c.ports.map((p: any) => [p.name, p.containerPort]));
    expect([ports.jgroups, ports['fd-sock']]).toEqual([stack.tcpBindPort, stack.tcpBindPort + stack.fdSock2Offset]);
    const script = findObject(objects, 'ConfigMap', name('infinispan-config')).data['start.sh'];
    expect(script).toContain(`"-D${stack.properties.dnsQuery}=$JGROUPS_DNS_QUERY"`);
    expect(script).toContain(`"-D${stack.properties.bindAddress}=$POD_IP"`);
  });

  test('probe the health endpoint for startup, liveness and readiness', () => {
    for (const probe of [c.startupProbe, c.livenessProbe, c.readinessProbe]) {
      expect(probe.httpGet).toEqual({ path: '/rest/v2/container/health/status', port: 'infinispan', scheme: 'HTTP' });
    }
    expect(c.startupProbe.failureThreshold * c.startupProbe.periodSeconds).toBeGreaterThanOrEqual(300);
  });

  test('have a service account without an API token, a disruption budget and spreading', () => {
    expect(findObject(objects, 'ServiceAccount', name('infinispan')).automountServiceAccountToken).toBe(false);
    expect(pod).toMatchObject({ serviceAccountName: name('infinispan'), automountServiceAccountToken: false, enableServiceLinks: false });
    expect(findObject(objects, 'PodDisruptionBudget', name('infinispan')).spec).toEqual({ maxUnavailable: 1, selector: sts.spec.selector });
    expect(pod.topologySpreadConstraints).toEqual([
      { maxSkew: 1, topologyKey: 'kubernetes.io/hostname', whenUnsatisfiable: 'ScheduleAnyway', labelSelector: sts.spec.selector },
    ]);
    const off = renderInfinispan({ infinispan: { podDisruptionBudget: { enabled: false }, topologySpread: { enabled: false } } });
    expect(off.filter((o) => o.kind === 'PodDisruptionBudget' && o.metadata.name === name('infinispan'))).toEqual([]);
    expect(statefulSet(off).spec.template.spec.topologySpreadConstraints).toBeUndefined();
  });

  test('start through the start script with the config, batch and script of their own ConfigMap', () => {
    expect(c.command).toEqual(['/bin/sh', '/etc/infinispan/config/start.sh']);
    const volume = pod.volumes.find((v: any) => v.name === 'config');
    expect(volume.configMap.name).toBe(name('infinispan-config'));
    expect(Object.keys(findObject(objects, 'ConfigMap', name('infinispan-config')).data).sort()).toEqual(['admin-identity.batch', 'identities.batch', 'infinispan.yaml', 'start.sh']);
  });
});

describe('the Infinispan admin identity', () => {
  const container = (values: object) => statefulSetOf(values).spec.template.spec.containers[0];
  const statefulSetOf = (values: object) => findObject(renderInfinispan(values), 'StatefulSet', `${FULLNAME}-infinispan`);

  test('is off by default: no admin key is mounted or named', () => {
    const sts = statefulSetOf({});
    expect(container({}).env.map((e: any) => e.name)).not.toContain('ADMIN_USERNAME_KEY');
    expect(sts.spec.template.spec.volumes.find((v: any) => v.name === 'secrets').secret.items.map((i: any) => i.key)).toEqual(['infinispan-username', 'infinispan-password']);
  });

  test('when enabled, mounts and names only its two keys', () => {
    const values = { infinispan: { auth: { admin: { enabled: true, usernameKey: 'ops-user', passwordKey: 'ops-pass' } } } };
    expect(container(values).env).toEqual(expect.arrayContaining([{ name: 'ADMIN_USERNAME_KEY', value: 'ops-user' }, { name: 'ADMIN_PASSWORD_KEY', value: 'ops-pass' }]));
    expect(statefulSetOf(values).spec.template.spec.volumes.find((v: any) => v.name === 'secrets').secret.items.map((i: any) => i.key)).toEqual(['infinispan-username', 'infinispan-password', 'ops-user', 'ops-pass']);
  });
});
