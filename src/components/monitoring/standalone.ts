import { Construct } from 'constructs';
import { IDeployment } from 'kubernetes-models/apps/v1/Deployment';
import { IStatefulSet } from 'kubernetes-models/apps/v1/StatefulSet';
import { IIngress } from 'kubernetes-models/networking.k8s.io/v1/Ingress';
import { IPersistentVolumeClaim } from 'kubernetes-models/v1/PersistentVolumeClaim';
import { IContainer } from 'kubernetes-models/v1/Container';
import { truthy } from '../../config/expr';
import { Fields, RenderContext, Val, Valued } from '../../render/context';
import { IVolume } from 'kubernetes-models/v1/Volume';
import { containerImage } from '../shared/images';
import { claimAnnotations, claimSpec, claimTemplateAnnotations } from '../shared/storage';
import { manifest } from '../shared/api-object';
import { metadata, selectorLabels } from '../shared/naming';
import { clientService } from '../shared/service';
import { podTemplate, workloadServiceAccount } from '../shared/workload';
import {
  ALERTMANAGER_PORT, GRAFANA_PORT, PROMETHEUS_PORT, alertRules, dashboards, ingressOn, monitoringFile, monitoringNames,
} from './contract';

type ClaimPath = 'monitoring.standalone.prometheus.storage' | 'monitoring.standalone.alertmanager.storage';

/** UIDs the upstream images run as (nobody for Prometheus/Alertmanager, grafana for Grafana). */
const NOBODY = 65534;
const GRAFANA_UID = 472;

function service(scope: Construct, ctx: RenderContext, component: 'prometheus' | 'alertmanager' | 'grafana', port: number) {
  clientService(scope, `${component}-service`, ctx, {
    path: `monitoring.standalone.${component}.service`,
    suffix: component,
    component,
    ports: [{ name: 'http', port, targetPort: 'http' }],
  });
}

function configMap(scope: Construct, ctx: RenderContext, suffix: string, component: string, data: Record<string, string | Val<string>>) {
  manifest(scope, `${suffix}-cm`, { apiVersion: 'v1', kind: 'ConfigMap', metadata: metadata(ctx, suffix, component), data });
}

function httpProbe(path: string, periodSeconds: number, failureThreshold: number) {
  return { httpGet: { path, port: 'http' }, periodSeconds, timeoutSeconds: 5, failureThreshold };
}

/** A single-pod StatefulSet with its own volume claim (Prometheus, Alertmanager). */
function statefulServer(
  scope: Construct, ctx: RenderContext, component: 'prometheus' | 'alertmanager', uid: number, container: Fields<IContainer>,
  volumes: Valued<IVolume>[], claim: ClaimPath,
) {
  manifest<IStatefulSet>(scope, `${component}-statefulset`, {
    apiVersion: 'apps/v1',
    kind: 'StatefulSet',
    metadata: metadata(ctx, component, component),
    spec: {
      serviceName: monitoringNames(ctx)[component as 'prometheus' | 'alertmanager'],
      replicas: 1,
      selector: { matchLabels: selectorLabels(ctx, component) },
      volumeClaimTemplates: [{ metadata: { name: 'data', annotations: claimTemplateAnnotations(ctx, claim) }, spec: claimSpec(ctx, claim) }],
      persistentVolumeClaimRetentionPolicy: { whenDeleted: 'Retain', whenScaled: 'Retain' },
      template: podTemplate(ctx, `monitoring.standalone.${component}`, {
        component,
        uid,
        images: [`monitoring.standalone.${component}.image`],
        main: container,
        volumes,
      }),
    },
  });
}

/**
 * Own Prometheus, Alertmanager and Grafana. Prometheus finds the exporters through the
 * SRV records of the headless Services, so no workload here needs API access.
 */
export class StandaloneMonitoring extends Construct {
  constructor(scope: Construct, id: string, ctx: RenderContext) {
    super(scope, id);
    const v = ctx.values.monitoring.standalone;
    const m = monitoringNames(ctx);

    // Prometheus
    workloadServiceAccount(this, ctx, 'monitoring.standalone.prometheus', 'prometheus');
    configMap(this, ctx, 'prometheus-config', 'prometheus', { 'prometheus.yml': monitoringFile(ctx, 'prometheus.yml') });
    configMap(this, ctx, 'prometheus-rules', 'prometheus', { 'alerts.yaml': alertRules(ctx) });
    service(this, ctx, 'prometheus', PROMETHEUS_PORT);
    statefulServer(this, ctx, 'prometheus', NOBODY, {
      name: 'prometheus',
      ...containerImage(ctx, 'monitoring.standalone.prometheus.image'),
      args: [
        '--config.file=/etc/prometheus/prometheus.yml',
        '--storage.tsdb.path=/prometheus',
        `--storage.tsdb.retention.time=${v.prometheus.retention}`,
        '--web.console.libraries=/usr/share/prometheus/console_libraries',
        '--web.console.templates=/usr/share/prometheus/consoles',
      ],
      ports: [{ name: 'http', containerPort: PROMETHEUS_PORT, protocol: 'TCP' }],
      readinessProbe: httpProbe('/-/ready', 10, 3),
      livenessProbe: httpProbe('/-/healthy', 15, 4),
      resources: ctx.json(v.prometheus.resources),
      volumeMounts: [
        { name: 'config', mountPath: '/etc/prometheus/prometheus.yml', subPath: 'prometheus.yml', readOnly: true },
        { name: 'rules', mountPath: '/etc/prometheus/rules', readOnly: true },
        { name: 'data', mountPath: '/prometheus' },
      ],
    }, [
      { name: 'config', configMap: { name: `${m.prometheus}-config` } },
      { name: 'rules', configMap: { name: `${m.prometheus}-rules` } },
    ], 'monitoring.standalone.prometheus.storage');

    // Alertmanager
    workloadServiceAccount(this, ctx, 'monitoring.standalone.alertmanager', 'alertmanager');
    configMap(this, ctx, 'alertmanager-config', 'alertmanager', { 'alertmanager.yml': monitoringFile(ctx, 'alertmanager.yml') });
    service(this, ctx, 'alertmanager', ALERTMANAGER_PORT);
    statefulServer(this, ctx, 'alertmanager', NOBODY, {
      name: 'alertmanager',
      ...containerImage(ctx, 'monitoring.standalone.alertmanager.image'),
      args: [
        '--config.file=/etc/alertmanager/alertmanager.yml',
        '--storage.path=/alertmanager',
        // One replica: no gossip mesh to listen on.
        '--cluster.listen-address=',
      ],
      ports: [{ name: 'http', containerPort: ALERTMANAGER_PORT, protocol: 'TCP' }],
      readinessProbe: httpProbe('/-/ready', 10, 3),
      livenessProbe: httpProbe('/-/healthy', 15, 4),
      resources: ctx.json(v.alertmanager.resources),
      volumeMounts: [
        { name: 'config', mountPath: '/etc/alertmanager', readOnly: true },
        { name: 'data', mountPath: '/alertmanager' },
      ],
    }, [
      ctx.choose(
        truthy('monitoring.standalone.alertmanager.configSecret'),
        { name: 'config', secret: { secretName: v.alertmanager.configSecret, items: [{ key: 'alertmanager.yml', path: 'alertmanager.yml' }] } },
        { name: 'config', configMap: { name: `${m.alertmanager}-config` } },
      ),
    ], 'monitoring.standalone.alertmanager.storage');

    // Grafana
    workloadServiceAccount(this, ctx, 'monitoring.standalone.grafana', 'grafana');
    configMap(this, ctx, 'grafana-provisioning', 'grafana', {
      'datasources.yaml': monitoringFile(ctx, 'grafana-datasources.yaml'),
      'dashboards.yaml': monitoringFile(ctx, 'grafana-dashboards.yaml'),
    });
    configMap(this, ctx, 'grafana-dashboards', 'grafana', dashboards(ctx));
    service(this, ctx, 'grafana', GRAFANA_PORT);
    manifest<IPersistentVolumeClaim>(this, 'grafana-pvc', {
      apiVersion: 'v1',
      kind: 'PersistentVolumeClaim',
      metadata: metadata(ctx, 'grafana', 'grafana', claimAnnotations('monitoring.standalone.grafana.storage')),
      spec: claimSpec(ctx, 'monitoring.standalone.grafana.storage'),
    });
    manifest<IDeployment>(this, 'grafana-deployment', {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: metadata(ctx, 'grafana', 'grafana'),
      spec: {
        replicas: 1,
        // One ReadWriteOnce volume: the old pod must be gone before the new one starts.
        strategy: { type: 'Recreate' },
        selector: { matchLabels: selectorLabels(ctx, 'grafana') },
        template: podTemplate(ctx, 'monitoring.standalone.grafana', {
          component: 'grafana',
          uid: GRAFANA_UID,
          images: ['monitoring.standalone.grafana.image'],
          main: {
                name: 'grafana',
                ...containerImage(ctx, 'monitoring.standalone.grafana.image'),
                env: ctx.list(
                  // The admin comes from an existing Secret, never admin/admin.
                  { name: 'GF_SECURITY_ADMIN_USER__FILE', value: '/etc/grafana/admin/admin-user' },
                  { name: 'GF_SECURITY_ADMIN_PASSWORD__FILE', value: '/etc/grafana/admin/admin-password' },
                  { name: 'GF_SECURITY_DISABLE_INITIAL_ADMIN_CREATION', value: 'false' },
                  { name: 'GF_SECURITY_COOKIE_SECURE', value: ctx.choose(ingressOn, 'true', 'false') },
                  { name: 'GF_AUTH_ANONYMOUS_ENABLED', value: 'false' },
                  { name: 'GF_USERS_ALLOW_SIGN_UP', value: 'false' },
                  { name: 'GF_ANALYTICS_REPORTING_ENABLED', value: 'false' },
                  { name: 'GF_ANALYTICS_CHECK_FOR_UPDATES', value: 'false' },
                  { name: 'GF_PATHS_DATA', value: '/var/lib/grafana' },
                  { name: 'GF_PATHS_LOGS', value: '/var/lib/grafana/log' },
                  { name: 'GF_PATHS_PLUGINS', value: '/var/lib/grafana/plugins' },
                  { name: 'GF_PATHS_PROVISIONING', value: '/etc/grafana/provisioning' },
                  ctx.optional(ingressOn, { name: 'GF_SERVER_ROOT_URL', value: `https://${v.ingress.host}/` }),
                ),
                ports: [{ name: 'http', containerPort: GRAFANA_PORT, protocol: 'TCP' }],
                readinessProbe: httpProbe('/api/health', 10, 3),
                livenessProbe: httpProbe('/api/health', 15, 4),
                resources: ctx.json(v.grafana.resources),
                volumeMounts: [
                  { name: 'admin', mountPath: '/etc/grafana/admin', readOnly: true },
                  { name: 'provisioning', mountPath: '/etc/grafana/provisioning/datasources/datasources.yaml', subPath: 'datasources.yaml', readOnly: true },
                  { name: 'provisioning', mountPath: '/etc/grafana/provisioning/dashboards/dashboards.yaml', subPath: 'dashboards.yaml', readOnly: true },
                  { name: 'dashboards', mountPath: '/etc/grafana/dashboards', readOnly: true },
                  { name: 'data', mountPath: '/var/lib/grafana' },
                  { name: 'tmp', mountPath: '/tmp' },
                ],
          },
          volumes: [
              { name: 'admin', secret: { secretName: v.grafana.adminSecret, defaultMode: 0o440 } },
              { name: 'provisioning', configMap: { name: `${m.grafana}-provisioning` } },
              { name: 'dashboards', configMap: { name: `${m.grafana}-dashboards` } },
              { name: 'data', persistentVolumeClaim: { claimName: m.grafana } },
              { name: 'tmp', emptyDir: { sizeLimit: '64Mi' } },
          ],
        }),
      },
    });

    const ingress = ctx.guard(this, 'ingress', ingressOn);
    if (ingress) {
      manifest<IIngress>(ingress, 'grafana-ingress', {
        apiVersion: 'networking.k8s.io/v1',
        kind: 'Ingress',
        metadata: metadata(ctx, 'grafana', 'grafana'),
        spec: {
          ingressClassName: ctx.optional(truthy('monitoring.standalone.ingress.className'), v.ingress.className),
          tls: [{ hosts: [v.ingress.host], secretName: v.ingress.tlsSecret }],
          rules: [
            {
              host: v.ingress.host,
              http: { paths: [{ path: '/', pathType: 'Prefix', backend: { service: { name: m.grafana, port: { name: 'http' } } } }] },
            },
          ],
        },
      });
    }
  }
}
