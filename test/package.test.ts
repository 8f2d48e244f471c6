import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import * as YAML from 'yaml';
import { HELM_MAJORS } from '../scripts/helm';
import { environments, KUBECONFORM_ARGS, lint, packageChart, packageVersion, StepError } from '../scripts/package';
import { PROJECT_ROOT } from '../src/render/assets';

const temp: string[] = [];
function tempDir(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sd-package-'));
  temp.push(dir);
  return dir;
}
afterAll(() => temp.forEach((d) => fs.rmSync(d, { recursive: true, force: true })));

function tarEntry(tgz: string, entry: string): string {
  const r = spawnSync('tar', ['-xzOf', tgz, entry], { encoding: 'utf8', timeout: 30_000 });
  if (r.status !== 0) throw new Error(`tar: ${r.stderr}`);
  return r.stdout;
}

describe('npm run package', () => {
  test.each(HELM_MAJORS)('helm %i package writes a chart archive with the version of package.json', (major) => {
    const tgz = packageChart(tempDir(), major);
    const version = packageVersion();
    expect(path.basename(tgz)).toBe(`session-database-${version}.tgz`);
    const chart = YAML.parse(tarEntry(tgz, 'session-database/Chart.yaml'));
    expect(chart).toMatchObject({ apiVersion: 'v2', name: 'session-database', version });
    const listing = spawnSync('tar', ['-tzf', tgz], { encoding: 'utf8' }).stdout.split('\n');
    expect(listing).toEqual(expect.arrayContaining(['session-database/values.yaml', 'session-database/values.schema.json', 'session-database/templates/redis.yaml']));
  });

  test.each(HELM_MAJORS)('helm %i lint --strict passes with the defaults and every environment file', (major) => {
    expect(lint(major)).toEqual([
      `helm ${major} lint --strict (defaults): ok`,
      ...environments().map((e) => `helm ${major} lint --strict (values/${e}.yaml): ok`),
    ]);
  });

  test('lint fails, with helm\'s message, on a chart whose defaults break its own schema', () => {
    const copy = path.join(tempDir(), 'session-database');
    fs.cpSync(path.join(PROJECT_ROOT, 'charts', 'session-database'), copy, { recursive: true });
    const valuesFile = path.join(copy, 'values.yaml');
    fs.writeFileSync(valuesFile, fs.readFileSync(valuesFile, 'utf8').replace(/^( {2}mode: )"sentinel"$/m, '$1"cluster"'));
    expect(() => lint(3, copy)).toThrow(StepError);
    expect(() => lint(3, copy)).toThrow(/helm 3 lint --strict .* \(defaults\) failed[\s\S]*mode/);
  });

  test('kubeconform runs strict with the Kubernetes schemas and the CRDs catalog', () => {
    expect(KUBECONFORM_ARGS).toEqual(expect.arrayContaining(['-strict', '-summary']));
    expect(KUBECONFORM_ARGS.join(' ')).toContain('-schema-location default -schema-location https://raw.githubusercontent.com/datreeio/CRDs-catalog/main/{{.Group}}/{{.ResourceKind}}_{{.ResourceAPIVersion}}.json');
  });
});
