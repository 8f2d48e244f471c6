import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { BinPaths, ensureAllBuilt } from '../../scripts/cluster/build';
import { KUBERNETES, KUBECONFORM } from '../../scripts/cluster/versions';
import { listEnvironments } from '../../src/config/load';
import { PROJECT_ROOT } from '../../src/render/assets';
import { CLUSTER_SETUP_TIMEOUT_MS, useCluster } from '../support/cluster';
import { helmTemplate } from '../support/helm';
import { schemaLocations, writeKubeconformSchemas } from '../support/kubeconform-schemas';

/**
 * Issue 12, proof 7: kubeconform (built from the Go module proxy at a pinned version) in -strict mode
 * validates dist/, argocd/ and `helm template` output against JSON schemas generated from this same API
 * server's OpenAPI document and its installed CRDs; no schema is downloaded.
 */
const cluster = useCluster();
jest.setTimeout(600_000);
const environments = listEnvironments(path.join(PROJECT_ROOT, 'values'));
const K8S_VERSION = KUBERNETES.version.slice(1);
let bin: BinPaths;
let dir: string;

beforeAll(async () => {
  bin = await ensureAllBuilt(['kubeconform']);
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sd-kubeconform-'));
  const generated = await writeKubeconformSchemas(cluster.api, path.join(dir, 'schemas'), KUBERNETES.version);
  expect(generated.builtIn).toBeGreaterThan(50);
  expect(generated.custom).toBeGreaterThan(5);
}, CLUSTER_SETUP_TIMEOUT_MS);
afterAll(() => dir && fs.rmSync(dir, { recursive: true, force: true }));

interface Summary {
  resources: { filename: string; kind: string; name: string; status: string; msg: string }[];
  summary: { valid: number; invalid: number; errors: number; skipped: number };
}

function kubeconform(...targets: string[]): Summary {
  const r = spawnSync(bin.kubeconform, ['-strict', '-summary', '-output', 'json', '-verbose', '-kubernetes-version', K8S_VERSION, ...schemaLocations(path.join(dir, 'schemas')), ...targets], { encoding: 'utf8', cwd: PROJECT_ROOT });
  if (!r.stdout) throw new Error(`kubeconform exited ${r.status}: ${r.stderr}`);
  return JSON.parse(r.stdout);
}

const problems = (s: Summary) => s.resources.filter((r) => r.status !== 'statusValid').map((r) => `${r.filename}: ${r.kind}/${r.name}: ${r.status} ${r.msg}`);

test(`kubeconform is built from its Go module at the pinned ${KUBECONFORM.version}`, () => {
  const r = spawnSync('go', ['version', '-m', bin.kubeconform], { encoding: 'utf8' });
  expect(r.stdout).toMatch(new RegExp(`\\b(mod|dep)\\s+${KUBECONFORM.module}\\s+${KUBECONFORM.version.replace(/\./g, '\\.')}\\b`));
});

test.each(environments)('dist/%s is valid in -strict mode', (env) => {
  const s = kubeconform(`dist/${env}`);
  expect(problems(s)).toEqual([]);
  expect(s.summary.valid).toBeGreaterThan(10);
});

test('argocd/ is valid in -strict mode', () => {
  const s = kubeconform('argocd');
  expect(problems(s)).toEqual([]);
  expect(s.summary.valid).toBe(environments.length + 1);
});

test.each(environments)('helm template with values/%s.yaml is valid in -strict mode', (env) => {
  const file = path.join(dir, `helm-${env}.yaml`);
  const r = helmTemplate(4, `values/${env}.yaml`);
  expect(r.status).toBe(0);
  fs.writeFileSync(file, r.stdout);
  const s = kubeconform(file);
  expect(problems(s)).toEqual([]);
  expect(s.summary.valid).toBeGreaterThan(10);
});

test('negative controls: an unknown field and a duplicate field are invalid', () => {
  const unknown = path.join(dir, 'unknown.yaml');
  fs.writeFileSync(unknown, 'apiVersion: apps/v1\nkind: StatefulSet\nmetadata:\n  name: x\nspec:\n  serviceName: x\n  selector:\n    matchLabels: {a: b}\n  template:\n    metadata:\n      labels: {a: b}\n    spec:\n      containers:\n        - name: c\n          image: i\n          imagePullPolicyy: Always\n');
  const duplicate = path.join(dir, 'duplicate.yaml');
  fs.writeFileSync(duplicate, 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: x\ndata:\n  a: "1"\n  a: "2"\n');
  const customUnknown = path.join(dir, 'custom-unknown.yaml');
  fs.writeFileSync(customUnknown, 'apiVersion: cert-manager.io/v1\nkind: Certificate\nmetadata:\n  name: x\nspec:\n  secretName: x\n  issuerRef: {name: ca}\n  dnsNames: [a]\n  renewBeforePercent: 10\n  renewBeforePercentage: 10\n');
  const s = kubeconform(unknown, duplicate, customUnknown);
  const byFile = Object.fromEntries(s.resources.map((r) => [path.basename(r.filename), `${r.status} ${r.msg}`]));
  expect(byFile['unknown.yaml']).toMatch(/statusInvalid.*imagePullPolicyy/);
  expect(byFile['duplicate.yaml']).toMatch(/statusError[\s\S]*key "a" already set in map/);
  expect(byFile['custom-unknown.yaml']).toMatch(/statusInvalid.*renewBeforePercent/);
});
