import { createHash } from 'crypto';
import * as fs from 'fs';
import * as path from 'path';
import { describeWithBinaries } from '../support/binaries';
import { FULLNAME, configMapData, renderEnvironment } from '../support/manifests';
import { RunResult, run } from '../support/redis';
import { S3Server, s3Programs } from '../support/s3';
import { Lab, Node, cronJobContainer, snapshot } from './lab';

/**
 * maintenance.backup.s3 on real programs: the backup Job's two containers (backup.sh on real Redis, and
 * backup-upload.sh with the real AWS CLI) run from the synthesized manifests against a real S3-compatible
 * server (versitygw) on 127.0.27.10; the restore takes the backup from the bucket alone.
 */
jest.setTimeout(180000);

const BUCKET = 'sessions-backup';
const PREFIX = 'dev/redis';
const SECRET = 's3-backup-credentials'; // pragma: allowlist secret -- a Secret name
const S3_IP = '127.0.27.10';
const S3_PORT = 7070;
const BACKUP_NAME = /^redis-backup-\d{8}T\d{6}Z\.rdb$/;

function s3Values(endpoint: string, extra: object = {}) {
  return {
    maintenance: {
      backup: {
        s3: { enabled: true, endpoint, bucket: BUCKET, prefix: PREFIX, forcePathStyle: true, keep: 2, credentials: { existingSecret: SECRET }, egress: { cidr: `${S3_IP}/32`, port: S3_PORT }, ...extra },
      },
    },
  };
}

describeWithBinaries(['redis-server', 'redis-cli', 'redis-check-rdb', 'sha256sum', 'python3', 'go'], 'off-cluster backups to a real S3-compatible server with the AWS CLI', () => {
  const objects = renderEnvironment('dev', s3Values(`http://${S3_IP}:${S3_PORT}`));
  let lab: Lab;
  let s3: S3Server;
  let node: Node;

  /** Both containers of one backup pod, at once, sharing the pod's handoff volume and the backup volume. */
  async function backupPod(o: { backupDir: string; redisHost?: string; objects?: typeof objects; credentials?: { accessKeyId: string; secretAccessKey: string } }) {
    const podLab = o.objects ? new Lab(o.objects, 600, lab.passwords) : lab;
    const handoff = fs.mkdtempSync(path.join(lab.root, 'handoff-'));
    const creds = o.credentials ?? s3.credentials;
    const [backup, upload] = await Promise.all([
      podLab.runJob('backup', { redisHost: o.redisHost ?? node.ip, backupDir: o.backupDir, volumes: { handoff } }),
      podLab.runJob('backup', {
        redisHost: 'unused.invalid',
        container: 'backup-upload',
        backupDir: o.backupDir,
        volumes: { handoff },
        secrets: { [SECRET]: { AWS_ACCESS_KEY_ID: creds.accessKeyId, AWS_SECRET_ACCESS_KEY: creds.secretAccessKey } },
        env: { PATH: s3.path },
        timeoutMs: 150000,
      }),
    ]);
    if (podLab !== lab) await podLab.dispose();
    return { backup, upload };
  }

  /** backup-download.sh from the ConfigMap with the upload container's environment (docs/backup-restore.md). */
  function download(dest: string, name?: string): Promise<RunResult> {
    return lab.runJob('backup', {
      redisHost: 'unused.invalid',
      container: 'backup-upload',
      backupDir: dest,
      secrets: { [SECRET]: { AWS_ACCESS_KEY_ID: s3.credentials.accessKeyId, AWS_SECRET_ACCESS_KEY: s3.credentials.secretAccessKey } },
      env: { PATH: s3.path },
      command: ['sh', '/etc/maintenance/backup-download.sh', '/backup', ...(name ? [name] : [])],
    });
  }

  beforeAll(async () => {
    // A cold cache builds versitygw (~10 min on 2 cores) and installs the AWS CLI; warm, nothing.
    const programs = await s3Programs();
    lab = new Lab(objects);
    s3 = new S3Server(programs, S3_IP, S3_PORT, fs.mkdtempSync(path.join(lab.root, 's3-')));
    await s3.start();
    await s3.createBucket(BUCKET);
    node = await lab.startRedis('127.0.27.1');
  }, 1_800_000);
  afterAll(async () => {
    try {
      await s3?.stop();
    } finally {
      await lab?.dispose();
    }
  });

  test('the backup Job uploads the verified backup, keeps the newest in the bucket, and a restore from the bucket alone brings every key back', async () => {
    const app = lab.client(node, 'app', 0);
    const cache = lab.client(node, 'cache', 1);
    const p = app.pipeline();
    for (let i = 0; i < 3000; i++) p.set(`session:s${i}`, JSON.stringify({ user: `u${i % 101}`, n: i }), 'EX', 900 + i).zadd(`session:user:u${i % 101}`, 1_700_000_000_000 + i, `s${i}`);
    p.set('session:no-ttl', 'forever').hset('session:hash', { a: '1', b: '2' });
    await p.exec();
    const c = cache.pipeline();
    for (let i = 0; i < 500; i++) c.set(`cache:svc:k${i}`, `v${i}`, 'EX', 86400);
    await c.exec();
    const before = { sessions: await snapshot(app, 'session:*'), cache: await snapshot(cache, 'cache*') };

    // Two older complete backups (keep 2: the oldest goes) and an upload that failed half way (goes).
    for (const old of ['redis-backup-20200101T000000Z.rdb', 'redis-backup-20210101T000000Z.rdb']) {
      await s3.put(BUCKET, `${PREFIX}/${old}`, 'old');
      await s3.put(BUCKET, `${PREFIX}/${old}.sha256`, `x  ${old}\n`);
    }
    await s3.put(BUCKET, `${PREFIX}/redis-backup-20220101T000000Z.rdb`, 'half');
    await s3.put(BUCKET, 'elsewhere/redis-backup-20190101T000000Z.rdb', 'not ours');

    const backupDir = fs.mkdtempSync(path.join(lab.root, 'backup-volume-'));
    const { backup, upload } = await backupPod({ backupDir });
    expect([backup.code, backup.stderr]).toEqual([0, '']);
    expect([upload.code, upload.stderr]).toEqual([0, '']);
    const file = /file=(\S+)/.exec(backup.stdout)![1];
    expect(file).toMatch(BACKUP_NAME);
    const local = fs.readFileSync(path.join(backupDir, file));
    const sha = createHash('sha256').update(local).digest('hex');
    expect(upload.stdout.trim()).toMatch(new RegExp(`^backup-upload: file=${file} bytes=${local.length} sha256=${sha} url=s3://${BUCKET}/${PREFIX}/${file} deleted_old=2 duration_s=\\d+$`));

    expect(await s3.keys(BUCKET, `${PREFIX}/`)).toEqual([`${PREFIX}/redis-backup-20210101T000000Z.rdb`, `${PREFIX}/redis-backup-20210101T000000Z.rdb.sha256`, `${PREFIX}/${file}`, `${PREFIX}/${file}.sha256`]);
    expect(await s3.keys(BUCKET, 'elsewhere/')).toEqual(['elsewhere/redis-backup-20190101T000000Z.rdb']);
    expect(createHash('sha256').update(await s3.get(BUCKET, `${PREFIX}/${file}`)).digest('hex')).toBe(sha);
    expect((await s3.get(BUCKET, `${PREFIX}/${file}.sha256`)).toString()).toBe(`${sha}  ${file}\n`);

    // The cluster is gone: no backup volume, no Redis data. Only the bucket is left.
    fs.rmSync(backupDir, { recursive: true });
    const fetched = fs.mkdtempSync(path.join(lab.root, 'from-bucket-'));
    const got = await download(fetched);
    expect([got.code, got.stdout.trim()]).toEqual([0, `${fetched}/${file}`]);
    expect(got.stderr).toMatch(/sha256 verified/);

    const restoreSh = path.join(fetched, 'restore.sh');
    fs.writeFileSync(restoreSh, configMapData(objects, `${FULLNAME}-maintenance-scripts`)['restore.sh'], { mode: 0o555 });
    const fresh = new Lab(renderEnvironment('dev'), 600, lab.passwords);
    try {
      const restored = await fresh.startRedis('127.0.27.2', [], async (dataDir) => {
        const r = await run('sh', [restoreSh, path.join(fetched, file), dataDir], { timeoutMs: 60000 });
        expect([r.code, r.stderr]).toEqual([0, expect.stringMatching(/restored .* \(db0 keys: 3103;/)]);
      });
      const after = { sessions: await snapshot(fresh.client(restored, 'app', 0), 'session:*'), cache: await snapshot(fresh.client(restored, 'cache', 1), 'cache*') };
      for (const name of ['sessions', 'cache'] as const) {
        expect([...after[name].keys()]).toEqual([...before[name].keys()]);
        for (const [k, v] of before[name]) {
          const r = after[name].get(k)!;
          expect([k, r.type, r.value, r.pttl < 0 ? r.pttl : 'ttl']).toEqual([k, v.type, v.value, v.pttl < 0 ? v.pttl : 'ttl']);
        }
      }
      expect(before.sessions.size).toBe(3103);
      expect(before.cache.size).toBe(500);
    } finally {
      await fresh.dispose();
    }
  });

  test('maxAgeDays deletes backups older than that many days even without a count limit, never the new one', async () => {
    const aged = renderEnvironment('dev', s3Values(`http://${S3_IP}:${S3_PORT}`, { prefix: 'aged', keep: 0, maxAgeDays: 2 }));
    const day = 86_400_000;
    const stamp = (msAgo: number) => new Date(Date.now() - msAgo).toISOString().replace(/[-:]/g, '').replace(/\.\d+Z$/, 'Z');
    const old = `redis-backup-${stamp(3 * day)}.rdb`;
    const recent = `redis-backup-${stamp(1 * day)}.rdb`;
    for (const name of [old, recent]) {
      await s3.put(BUCKET, `aged/${name}`, 'x');
      await s3.put(BUCKET, `aged/${name}.sha256`, `x  ${name}\n`);
    }
    const { backup, upload } = await backupPod({ backupDir: fs.mkdtempSync(path.join(lab.root, 'aged-')), objects: aged });
    expect([backup.code, upload.code, upload.stderr]).toEqual([0, 0, '']);
    expect(upload.stdout).toMatch(/ deleted_old=1 /);
    const file = /file=(\S+)/.exec(backup.stdout)![1];
    expect(await s3.keys(BUCKET, 'aged/')).toEqual([`aged/${recent}`, `aged/${recent}.sha256`, `aged/${file}`, `aged/${file}.sha256`]);
  });

  test('refused credentials fail the upload loudly and leave the bucket as it was', async () => {
    const keysBefore = await s3.keys(BUCKET, `${PREFIX}/`);
    const backupDir = fs.mkdtempSync(path.join(lab.root, 'bad-credentials-'));
    const { backup, upload } = await backupPod({ backupDir, credentials: { accessKeyId: s3.credentials.accessKeyId, secretAccessKey: 'not-the-secret' } }); // pragma: allowlist secret -- a wrong key on purpose
    expect(backup.code).toBe(0);
    expect(upload.code).toBe(1);
    expect(upload.stdout).toBe('');
    expect(upload.stderr.trim()).toMatch(new RegExp(`backup-upload.sh: upload of redis-backup-\\S+ to s3://${BUCKET}/${PREFIX}/redis-backup-\\S+ failed: .*(SignatureDoesNotMatch|AccessDenied|InvalidAccessKeyId)`));
    expect(await s3.keys(BUCKET, `${PREFIX}/`)).toEqual(keysBefore);
  });

  test('an unreachable endpoint fails the upload loudly within a bounded time', async () => {
    const dead = renderEnvironment('dev', s3Values('http://127.0.27.11:7071'));
    const backupDir = fs.mkdtempSync(path.join(lab.root, 'unreachable-'));
    const started = Date.now();
    const { backup, upload } = await backupPod({ backupDir, objects: dead });
    expect(backup.code).toBe(0);
    expect(upload.code).toBe(1);
    expect(upload.stderr.trim()).toMatch(/backup-upload.sh: upload of redis-backup-\S+ to s3:\/\/sessions-backup\/dev\/redis\/\S+ failed: .*Could not connect to the endpoint URL: "http:\/\/127\.0\.27\.11:7071\//);
    expect(Date.now() - started).toBeLessThan(120000);
  });

  test('when the backup step fails the upload uploads nothing and leaves the failure to the backup container', async () => {
    const keysBefore = await s3.keys(BUCKET, `${PREFIX}/`);
    const backupDir = fs.mkdtempSync(path.join(lab.root, 'no-redis-'));
    const { backup, upload } = await backupPod({ backupDir, redisHost: '127.0.27.12' });
    expect(backup.code).toBe(1);
    expect(upload.code).toBe(0);
    expect(upload.stderr).toMatch(/the backup step failed \(failed \(backup\.sh exit 1\)\); nothing to upload/);
    expect(await s3.keys(BUCKET, `${PREFIX}/`)).toEqual(keysBefore);
  });

  test('the upload container gets the access key only from the named Secret, and the backup volume read-only', () => {
    const { container, pod } = cronJobContainer(objects, 'backup', 'backup-upload');
    expect(container.env.filter((e: any) => e.valueFrom)).toEqual([
      { name: 'AWS_ACCESS_KEY_ID', valueFrom: { secretKeyRef: { name: SECRET, key: 'AWS_ACCESS_KEY_ID' } } },
      { name: 'AWS_SECRET_ACCESS_KEY', valueFrom: { secretKeyRef: { name: SECRET, key: 'AWS_SECRET_ACCESS_KEY' } } },
    ]);
    expect(container.volumeMounts.find((m: any) => m.name === 'backup').readOnly).toBe(true);
    expect(pod.containers.map((c: any) => c.name)).toEqual(['backup', 'backup-upload']);
  });
});
