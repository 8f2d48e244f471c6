import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { helmTemplate } from '../support/helm';
import { FULLNAME, K8sObject, configMapData, findObject, loadDist, renderEnvironment } from '../support/manifests';
import { UnknownFieldChecker, schemaErrors } from '../support/kubernetes-schema';
import { cronJobContainer } from './lab';

const JOBS = ['session-cleanup', 'cache-cleanup', 'backup'] as const;
const production = loadDist('production');
const dev = loadDist('dev');

const cronJobs = (objects: K8sObject[]) => objects.filter((o) => o.kind === 'CronJob').map((o) => o.metadata.name).sort();
const hpas = (objects: K8sObject[]) => objects.filter((o) => o.kind === 'HorizontalPodAutoscaler');

describe('the maintenance CronJobs', () => {
  test('session cleanup, cache cleanup and backup run in both environments', () => {
    for (const objects of [production, dev]) expect(cronJobs(objects)).toEqual([`${FULLNAME}-backup`, `${FULLNAME}-cache-cleanup`, `${FULLNAME}-session-cleanup`]);
  });

  test.each(JOBS)('%s never overlaps itself, is bounded in time and retries, and keeps a short history', (job) => {
    const { cronJob } = cronJobContainer(production, job);
    expect(cronJob.spec).toMatchObject({ concurrencyPolicy: 'Forbid', successfulJobsHistoryLimit: 3, failedJobsHistoryLimit: 3 });
    expect(cronJob.spec.jobTemplate.spec).toMatchObject({ backoffLimit: 2, activeDeadlineSeconds: job === 'backup' ? 3600 : 600 });
  });

  test.each(JOBS)('%s runs the stock Redis image with a script from the ConfigMap as a restricted pod without an API token', (job) => {
    const { pod, container, cronJob } = cronJobContainer(production, job);
    const sts = findObject(production, 'StatefulSet', `${FULLNAME}-redis`);
    expect(container.image).toBe(sts.spec.template.spec.containers[0].image);
    expect(container.command).toEqual(['sh', `/etc/maintenance/${job}.sh`]);
    expect(Object.keys(configMapData(production, `${FULLNAME}-maintenance-scripts`))).toContain(`${job}.sh`);
    expect(pod.automountServiceAccountToken).toBe(false);
    expect(pod.restartPolicy).toBe('Never');
    expect(pod.securityContext).toMatchObject({ runAsNonRoot: true, seccompProfile: { type: 'RuntimeDefault' } });
    expect(container.securityContext).toMatchObject({ allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: { drop: ['ALL'] } });
    expect(cronJob.spec.jobTemplate.spec.template.metadata.labels['app.kubernetes.io/component']).toBe('maintenance');
    const sa = findObject(production, 'ServiceAccount', pod.serviceAccountName);
    expect(sa.automountServiceAccountToken).toBe(false);
  });

  test.each([
    ['session-cleanup', 'cleanup'],
    ['cache-cleanup', 'cleanup'],
    ['backup', 'backup'],
  ])('%s gets only the passwords of the %s user and the sentinel discovery user', (job, user) => {
    const { pod } = cronJobContainer(production, job);
    const secret = pod.volumes.find((v: any) => v.secret).secret;
    expect(secret.items.map((i: any) => i.key).sort()).toEqual([`${user}-password`, 'monitor-password'].sort());
  });

  test('the jobs read their settings from the config', () => {
    const objects = renderEnvironment('production', {
      sessions: { keyPrefix: 'sx:', maxSessionsPerUser: 7, maxRefreshTokensPerUser: 4 },
      cache: { maxEntriesPerService: 99 },
      maintenance: {
        sessionCleanup: { schedule: '*/7 * * * *', batchSize: 33, activeDeadlineSeconds: 120, backoffLimit: 5, successfulJobsHistoryLimit: 1, failedJobsHistoryLimit: 4 },
        cacheCleanup: { batchSize: 44 },
        backup: { keep: 9, schedule: '@daily', size: '3Gi' },
      },
    });
    const env = (job: string) => Object.fromEntries(cronJobContainer(objects, job).container.env.map((e: any) => [e.name, e.value]));
    const session = cronJobContainer(objects, 'session-cleanup').cronJob;
    expect(session.spec).toMatchObject({ schedule: '*/7 * * * *', successfulJobsHistoryLimit: 1, failedJobsHistoryLimit: 4 });
    expect(session.spec.jobTemplate.spec).toMatchObject({ activeDeadlineSeconds: 120, backoffLimit: 5 });
    expect(env('session-cleanup')).toMatchObject({ KEY_PREFIX: 'sx:', BATCH_SIZE: '33', MAX_SESSIONS_PER_USER: '7', MAX_REFRESH_TOKENS_PER_USER: '4', SESSIONS_DB: '0', REDIS_MODE: 'sentinel' });
    expect(env('cache-cleanup')).toMatchObject({ BATCH_SIZE: '44', MAX_ENTRIES_PER_SERVICE: '99', CACHE_DB: '1' });
    expect(env('backup')).toMatchObject({ BACKUP_KEEP: '9', BACKUP_DIR: '/backup' });
    expect(cronJobContainer(objects, 'backup').cronJob.spec.schedule).toBe('@daily');
    expect(findObject(objects, 'PersistentVolumeClaim', `${FULLNAME}-backup`).spec.resources.requests.storage).toBe('3Gi');
  });

  test('the backup volume survives helm uninstall and Argo CD pruning', () => {
    const pvc = findObject(production, 'PersistentVolumeClaim', `${FULLNAME}-backup`);
    expect(pvc.metadata.annotations).toEqual({ 'helm.sh/resource-policy': 'keep', 'argocd.argoproj.io/sync-options': 'Delete=false' });
  });

  test('disabled jobs are not rendered, and with none left neither are their ConfigMap and account', () => {
    const some = renderEnvironment('production', { maintenance: { backup: { enabled: false } } });
    expect(cronJobs(some)).toEqual([`${FULLNAME}-cache-cleanup`, `${FULLNAME}-session-cleanup`]);
    expect(some.some((o) => o.kind === 'PersistentVolumeClaim' && o.metadata.name === `${FULLNAME}-backup`)).toBe(false);
    const none = renderEnvironment('production', { maintenance: { backup: { enabled: false }, sessionCleanup: { enabled: false }, cacheCleanup: { enabled: false } } });
    expect(cronJobs(none)).toEqual([]);
    expect(none.filter((o) => ['ConfigMap', 'ServiceAccount'].includes(o.kind) && o.metadata.name.startsWith(`${FULLNAME}-maintenance`))).toEqual([]);
  });

  test('with maintenance.backup.s3 the backup pod gains the upload container on the AWS CLI image, valid against the Kubernetes schema', () => {
    const objects = renderEnvironment('production', { maintenance: { backup: { s3: { enabled: true, bucket: 'session-backups', region: 'eu-west-1', credentials: { existingSecret: 's3-backup' } } } } });
    const { cronJob, pod, container } = cronJobContainer(objects, 'backup', 'backup-upload');
    expect(container.image).toBe('public.ecr.aws/aws-cli/aws-cli:2.15.62');
    expect(container.command).toEqual(['sh', '/etc/maintenance/backup-upload.sh']);
    expect(Object.fromEntries(container.env.filter((e: any) => 'value' in e).map((e: any) => [e.name, e.value]))).toMatchObject({ S3_BUCKET: 'session-backups', S3_ENDPOINT: '', AWS_DEFAULT_REGION: 'eu-west-1', S3_KEEP: '30', S3_MAX_AGE_DAYS: '0' });
    expect(pod.containers[0].env).toContainEqual({ name: 'BACKUP_HANDOFF_DIR', value: '/handoff' });
    expect(pod.volumes).toContainEqual({ name: 'handoff', emptyDir: { sizeLimit: '1Mi' } });
    expect([...schemaErrors(cronJob), ...new UnknownFieldChecker([cronJob]).check(cronJob)]).toEqual([]);
    // Off by default: one container, no handoff.
    expect(cronJobContainer(production, 'backup').pod.containers.map((c: any) => c.name)).toEqual(['backup']);
    expect(cronJobContainer(production, 'backup').pod.volumes.map((v: any) => v.name)).not.toContain('handoff');
  });

  test('every maintenance script is valid POSIX sh', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'maintenance-sh-'));
    try {
      for (const [name, text] of Object.entries(configMapData(production, `${FULLNAME}-maintenance-scripts`))) {
        if (!name.endsWith('.sh')) continue;
        fs.writeFileSync(path.join(dir, name), text);
        expect(() => execFileSync('sh', ['-n', path.join(dir, name)])).not.toThrow();
      }
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('the Redis autoscaler', () => {
  test('production scales the Redis data nodes between redis.replicas and maxReplicas, one node at a time', () => {
    const [hpa] = hpas(production);
    const sts = findObject(production, 'StatefulSet', `${FULLNAME}-redis`);
    expect(hpa.apiVersion).toBe('autoscaling/v2');
    expect(hpa.spec.scaleTargetRef).toEqual({ apiVersion: 'apps/v1', kind: 'StatefulSet', name: sts.metadata.name });
    expect(hpa.spec.minReplicas).toBe(sts.spec.replicas);
    expect(hpa.spec.maxReplicas).toBe(5);
    expect(hpa.spec.metrics.map((m: any) => [m.resource.name, m.resource.target.averageUtilization])).toEqual([['cpu', 70], ['memory', 80]]);
    expect(hpa.spec.behavior.scaleDown).toMatchObject({ stabilizationWindowSeconds: 900, policies: [{ type: 'Pods', value: 1, periodSeconds: 600 }] });
    expect(hpa.spec.behavior.scaleUp.policies).toEqual([{ type: 'Pods', value: 1, periodSeconds: 120 }]);
  });

  test('the sentinels are never autoscaled', () => {
    for (const objects of [production, renderEnvironment('production', { redis: { autoscaling: { maxReplicas: 9 } } })]) {
      expect(hpas(objects).map((h) => h.spec.scaleTargetRef.name)).toEqual([`${FULLNAME}-redis`]);
    }
  });

  test('standalone mode gets no autoscaler even when it is enabled', () => {
    expect(hpas(dev)).toEqual([]);
    expect(hpas(renderEnvironment('dev', { redis: { autoscaling: { enabled: true } } }))).toEqual([]);
  });

  test('a memory target of 0 leaves only the CPU metric', () => {
    const [hpa] = hpas(renderEnvironment('production', { redis: { autoscaling: { targetMemoryUtilizationPercentage: 0 } } }));
    expect(hpa.spec.metrics.map((m: any) => m.resource.name)).toEqual(['cpu']);
  });

  test('maxReplicas below redis.replicas is refused with one clear message, by the loader and by the chart', () => {
    expect(() => renderEnvironment('production', { redis: { autoscaling: { maxReplicas: 2 } } })).toThrow(
      'redis.autoscaling.maxReplicas is 2, below redis.replicas (3), the least the autoscaler keeps; set maxReplicas to at least redis.replicas',
    );
    const r = helmTemplate(3, 'values/production.yaml', ['--set', 'redis.autoscaling.maxReplicas=2']);
    expect(r.status).not.toBe(0);
    expect(r.stderr).toMatch(/redis\.autoscaling\.maxReplicas is 2, below redis\.replicas \(3\)/);
  });
});
