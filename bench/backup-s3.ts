/**
 * Off-cluster backups at scale (part of the maintenance figures): 1 000 000 session keys on a real
 * redis-server started from the synthesized manifests, the backup Job's two containers run from the
 * synthesized CronJob (backup.sh, then backup-upload.sh with the AWS CLI from PyPI) against versitygw on
 * loopback, then the documented restore: backup-download.sh and restore.sh into an empty data directory.
 *   backup_upload_s        from the backup step's verified RDB to the upload container's end (upload,
 *                          read-back SHA-256 check, retention listing), i.e. what S3 adds to the Job
 *   restore_from_bucket_s  backup-download.sh (fetch and checksum) plus restore.sh (load and AOF rewrite)
 */
import * as fs from 'fs';
import * as path from 'path';
import { Figure, round } from './figures';
import { Lab } from '../test/maintenance/lab';
import { FULLNAME, configMapData, renderEnvironment } from '../test/support/manifests';
import { run as runProgram } from '../test/support/redis/processes';
import { S3Server, s3Programs } from '../test/support/s3';

const KEYS = 1_000_000;
const REDIS_IP = '127.0.26.1';
const S3_IP = '127.0.26.10';
const S3_PORT = 7070;
const BUCKET = 'bench-backups';
const SECRET = 's3-backup-credentials'; // pragma: allowlist secret -- a Secret name

function resp(args: string[]): string {
  return `*${args.length}\r\n${args.map((a) => `$${Buffer.byteLength(a)}\r\n${a}\r\n`).join('')}`;
}

/** RESP for `redis-cli --pipe`: KEYS sessions of about 100 bytes with a TTL. */
function writeDataset(file: string): void {
  const out = fs.openSync(file, 'w');
  let chunk = '';
  for (let i = 0; i < KEYS; i++) {
    chunk += resp(['SET', `session:s${i}`, `{"user":"u${i % 50000}","created":${1_700_000_000 + i},"roles":["reader"],"ip":"10.0.${i % 250}.${i % 200}"}`, 'EX', '86400']);
    if (chunk.length > 1 << 20) {
      fs.writeSync(out, chunk);
      chunk = '';
    }
  }
  fs.writeSync(out, chunk);
  fs.closeSync(out);
}

export async function run(): Promise<Figure[]> {
  const objects = renderEnvironment('dev', {
    redis: { master: { maxmemory: '2gb' }, resources: { limits: { memory: '3Gi' } } },
    maintenance: { backup: { s3: { enabled: true, endpoint: `http://${S3_IP}:${S3_PORT}`, bucket: BUCKET, prefix: 'bench', forcePathStyle: true, credentials: { existingSecret: SECRET } } } },
  });
  const programs = await s3Programs();
  const lab = new Lab(objects, 900);
  const s3 = new S3Server(programs, S3_IP, S3_PORT, fs.mkdtempSync(path.join(lab.root, 's3-')));
  try {
    await s3.start();
    await s3.createBucket(BUCKET);
    const node = await lab.startRedis(REDIS_IP);
    const file = path.join(lab.root, 'dataset.resp');
    writeDataset(file);
    const fill = await runProgram('sh', ['-c', `redis-cli --no-auth-warning --user app -h ${REDIS_IP} -p ${node.port} --pipe < ${file}`], {
      env: { PATH: process.env.PATH!, HOME: lab.root, REDISCLI_AUTH: lab.passwords.app },
      timeoutMs: 300_000,
    });
    if (fill.code !== 0 || !/errors: 0/.test(fill.stdout)) throw new Error(`filling failed: ${fill.stdout} ${fill.stderr}`);
    fs.rmSync(file);

    const backupDir = fs.mkdtempSync(path.join(lab.root, 'backup-volume-'));
    const handoff = fs.mkdtempSync(path.join(lab.root, 'handoff-'));
    const secrets = { [SECRET]: { AWS_ACCESS_KEY_ID: s3.credentials.accessKeyId, AWS_SECRET_ACCESS_KEY: s3.credentials.secretAccessKey } };
    let backupDone = 0;
    let uploadDone = 0;
    const [backup, upload] = await Promise.all([
      lab.runJob('backup', { redisHost: node.ip, backupDir, volumes: { handoff }, timeoutMs: 600_000 }).finally(() => (backupDone = Date.now())),
      lab.runJob('backup', { redisHost: 'unused.invalid', container: 'backup-upload', backupDir, volumes: { handoff }, secrets, env: { PATH: s3.path }, timeoutMs: 600_000 }).finally(() => (uploadDone = Date.now())),
    ]);
    if (backup.code !== 0 || upload.code !== 0) throw new Error(`backup pod failed: ${backup.stderr}${upload.stderr}`);
    process.stderr.write(`bench backup-s3: ${backup.stdout.trim()}\nbench backup-s3: ${upload.stdout.trim()}\n`);
    const name = /file=(\S+)/.exec(backup.stdout)![1];
    fs.rmSync(backupDir, { recursive: true });

    // The documented restore, from the bucket alone.
    const restoreStarted = Date.now();
    const fetched = fs.mkdtempSync(path.join(lab.root, 'from-bucket-'));
    const got = await lab.runJob('backup', { redisHost: 'unused.invalid', container: 'backup-upload', backupDir: fetched, secrets, env: { PATH: s3.path }, command: ['sh', '/etc/maintenance/backup-download.sh', '/backup'], timeoutMs: 600_000 });
    if (got.code !== 0 || got.stdout.trim() !== `${fetched}/${name}`) throw new Error(`download failed: ${got.stderr}${got.stdout}`);
    const restoreSh = path.join(lab.root, 'restore.sh');
    fs.writeFileSync(restoreSh, configMapData(objects, `${FULLNAME}-maintenance-scripts`)['restore.sh'], { mode: 0o555 });
    const restored = await runProgram('sh', [restoreSh, path.join(fetched, name), path.join(lab.root, 'restored-data')], { timeoutMs: 600_000 });
    const restoreSeconds = (Date.now() - restoreStarted) / 1000;
    if (restored.code !== 0 || !restored.stderr.includes(`(db0 keys: ${KEYS};`)) throw new Error(`restore failed: ${restored.stderr}`);
    process.stderr.write(`bench backup-s3: download ${got.ms} ms, restore.sh ${restored.ms} ms\n`);
    return [
      { name: 'backup_upload_s', value: round((uploadDone - backupDone) / 1000, 1), unit: 's', goal: '<= 30' },
      { name: 'restore_from_bucket_s', value: round(restoreSeconds, 1), unit: 's', goal: '<= 60' },
    ];
  } finally {
    await s3.stop();
    await lab.dispose();
  }
}

if (require.main === module) {
  run().then((f) => console.log(JSON.stringify(f, null, 2)), (e) => {
    console.error(e);
    process.exitCode = 1;
  });
}
