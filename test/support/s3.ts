/**
 * A real S3-compatible server for the off-cluster backup tests: versitygw (posix backend, metadata in a
 * sidecar folder so any filesystem works) built from the Go module proxy by scripts/s3/versitygw.ts, on
 * one loopback address, in its own process group that never outlives the test; and the AWS CLI from PyPI
 * (scripts/s3/awscli.ts) that the generated scripts run. Both come from the shared cache; a warm cache
 * builds and downloads nothing.
 */
import * as fs from 'fs';
import * as path from 'path';
import { awsCli } from '../../scripts/s3/awscli';
import { versitygwBinary } from '../../scripts/s3/versitygw';
import { GroupProcess, RunResult, killGroup, run, startInGroup, waitFor, within } from './redis';

export interface S3Credentials {
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
}

/** The programs, built or installed on first use (minutes when cold: give beforeAll a long timeout). */
export async function s3Programs(): Promise<{ versitygw: string; aws: string }> {
  return { versitygw: await versitygwBinary(), aws: await awsCli() };
}

export class S3Server {
  readonly endpoint: string;
  readonly credentials: S3Credentials = { accessKeyId: 'backup-test', secretAccessKey: 'backup-test-secret-0123456789' }; // pragma: allowlist secret -- the local test server's key
  private process?: GroupProcess;

  constructor(
    private readonly programs: { versitygw: string; aws: string },
    readonly ip: string,
    readonly port: number,
    readonly root: string,
  ) {
    this.endpoint = `http://${ip}:${port}`;
  }

  /** PATH with the AWS CLI first, for the generated scripts. */
  get path(): string {
    return `${path.dirname(this.programs.aws)}:${process.env.PATH}`;
  }

  async start(maxLifetimeSeconds = 900): Promise<void> {
    const data = path.join(this.root, 'buckets');
    const meta = path.join(this.root, 'metadata');
    fs.mkdirSync(data, { recursive: true });
    fs.mkdirSync(meta, { recursive: true });
    this.process = startInGroup(
      [this.programs.versitygw, '--access', this.credentials.accessKeyId, '--secret', this.credentials.secretAccessKey, '--port', `${this.ip}:${this.port}`, '--quiet', 'posix', '--sidecar', meta, data],
      { env: { PATH: process.env.PATH! }, cwd: this.root, logFile: path.join(this.root, 'versitygw.log'), maxLifetimeSeconds },
    );
    await waitFor(`versitygw on ${this.endpoint}`, async () => (await this.aws(['s3api', 'list-buckets'])).code === 0, 20000);
  }

  /** The AWS CLI against this server as its root user. */
  aws(args: string[], timeoutMs = 60000): Promise<RunResult> {
    return run(this.programs.aws, ['--endpoint-url', this.endpoint, ...args], {
      env: { PATH: process.env.PATH!, HOME: this.root, AWS_ACCESS_KEY_ID: this.credentials.accessKeyId, AWS_SECRET_ACCESS_KEY: this.credentials.secretAccessKey, AWS_DEFAULT_REGION: 'us-east-1' },
      timeoutMs,
    });
  }

  async createBucket(bucket: string): Promise<void> {
    const r = await this.aws(['s3api', 'create-bucket', '--bucket', bucket]);
    if (r.code !== 0) throw new Error(`create-bucket ${bucket}: ${r.stderr}`);
  }

  /** Keys under a prefix, sorted. */
  async keys(bucket: string, prefix: string): Promise<string[]> {
    const r = await this.aws(['s3api', 'list-objects-v2', '--bucket', bucket, '--prefix', prefix, '--query', 'Contents[].Key', '--output', 'json']);
    if (r.code !== 0) throw new Error(`list-objects-v2 ${bucket}/${prefix}: ${r.stderr}`);
    return ((JSON.parse(r.stdout) as string[] | null) ?? []).sort();
  }

  async put(bucket: string, key: string, body: string): Promise<void> {
    const file = path.join(this.root, 'put-body');
    fs.writeFileSync(file, body);
    const r = await this.aws(['s3', 'cp', '--only-show-errors', file, `s3://${bucket}/${key}`]);
    if (r.code !== 0) throw new Error(`put ${bucket}/${key}: ${r.stderr}`);
  }

  /** An object's bytes (through the CLI into a file). */
  async get(bucket: string, key: string): Promise<Buffer> {
    const file = path.join(this.root, 'get-body');
    const r = await this.aws(['s3', 'cp', '--only-show-errors', `s3://${bucket}/${key}`, file], 300000);
    if (r.code !== 0) throw new Error(`get ${bucket}/${key}: ${r.stderr}`);
    const body = fs.readFileSync(file);
    fs.rmSync(file);
    return body;
  }

  async stop(): Promise<void> {
    if (!this.process?.proc.pid) return;
    killGroup(this.process.proc.pid, 'SIGKILL');
    await within(this.process.exited, 5000);
  }
}
