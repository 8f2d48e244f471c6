/**
 * The S3-compatible server the off-cluster backup tests upload to: versitygw (posix backend), built from the
 * Go module proxy by the wrapper module scripts/s3/go/versitygw/ (a `tool` directive pins the version), into
 * `<cache>/versitygw/<version>-<recipe hash>/bin/` by the cluster's builder (built once, never when warm).
 *
 *   npx tsx scripts/s3/versitygw.ts        builds it if missing, prints the binary's path
 */
import * as path from 'path';
import { GoComponent, ensureBuilt } from '../cluster/build';

export const VERSITYGW = { module: 'github.com/versity/versitygw', version: 'v1.8.0' } as const;

export const VERSITYGW_COMPONENT: GoComponent = {
  name: 'versitygw',
  version: VERSITYGW.version,
  packages: [`${VERSITYGW.module}/cmd/versitygw`],
  binaries: ['versitygw'],
  wrapperDir: path.join(__dirname, 'go', 'versitygw'),
};

/** The versitygw binary, built on first use. */
export async function versitygwBinary(): Promise<string> {
  return path.join(await ensureBuilt(VERSITYGW_COMPONENT), 'versitygw');
}

if (require.main === module) {
  versitygwBinary().then(
    (bin) => console.log(bin),
    (err: Error) => {
      console.error(err.message);
      process.exit(1);
    },
  );
}
