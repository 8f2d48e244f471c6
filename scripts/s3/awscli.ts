/**
 * The S3 client the backup job's upload step runs, for the tests: the AWS CLI from PyPI (`awscli`, pinned),
 * installed with pip into a virtualenv under `<cache>/python/awscli-<version>/` (scripts/cache.ts). A
 * `.complete` stamp is written last, so a warm cache downloads nothing. The chart's default image is the
 * AWS CLI v2 container; the scripts use only commands and options v1 and v2 share (`s3 cp`, `s3api
 * head-bucket`, `s3api list-objects-v2`, `s3api delete-object`, `--endpoint-url`).
 *
 *   npx tsx scripts/s3/awscli.ts        installs it if missing, prints the `aws` path
 */
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { cacheDir } from '../cache';
import { withFileLock } from '../cluster/lock';

export const AWSCLI = { package: 'awscli', version: '1.46.3' } as const;
const STAMP = '.complete';

function installDir(): string {
  return cacheDir('python', `${AWSCLI.package}-${AWSCLI.version}`);
}

/** The `aws` program of the pinned virtualenv, installed on first use (needs python3 with venv). */
export async function awsCli(): Promise<string> {
  const dir = installDir();
  const aws = path.join(dir, 'venv', 'bin', 'aws');
  if (fs.existsSync(path.join(dir, STAMP))) return aws;
  return withFileLock(path.join(dir, 'install.lock'), 'install awscli', async () => {
    if (fs.existsSync(path.join(dir, STAMP))) return aws;
    const venv = path.join(dir, 'venv');
    fs.rmSync(venv, { recursive: true, force: true });
    process.stderr.write(`[s3] installing ${AWSCLI.package}==${AWSCLI.version} from PyPI into ${venv}\n`);
    execFileSync('python3', ['-m', 'venv', venv], { stdio: ['ignore', 'ignore', 'inherit'] });
    execFileSync(path.join(venv, 'bin', 'pip'), ['install', '--quiet', '--disable-pip-version-check', `${AWSCLI.package}==${AWSCLI.version}`], { stdio: ['ignore', 'ignore', 'inherit'] });
    execFileSync(aws, ['--version'], { stdio: 'ignore' });
    fs.writeFileSync(path.join(dir, STAMP), new Date().toISOString() + '\n');
    return aws;
  });
}

if (require.main === module) {
  awsCli().then(
    (aws) => console.log(aws),
    (err: Error) => {
      console.error(err.message);
      process.exit(1);
    },
  );
}
