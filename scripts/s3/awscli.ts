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
import * as path from 'path';
import { pinnedVenv } from '../python/venv';

export const AWSCLI = { package: 'awscli', version: '1.46.3' } as const;

/** The `aws` program of the pinned virtualenv, installed on first use (needs python3 with venv). */
export async function awsCli(): Promise<string> {
  const venv = await pinnedVenv(AWSCLI, (dir) => execFileSync(path.join(dir, 'bin', 'aws'), ['--version'], { stdio: 'ignore' }));
  return path.join(venv, 'bin', 'aws');
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
