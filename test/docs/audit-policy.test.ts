import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import * as YAML from 'yaml';
import { AUDIT_POLICY_CHECK, auditPolicyCheck } from '../../scripts/cluster/audit-policy-check';
import { describeWithBinaries } from '../support/binaries';

const RUNBOOK = path.join(__dirname, '../../docs/runbook.md');
const GO_MOD = path.join(__dirname, '../../scripts/cluster/go/audit-policy-check/go.mod');

/** The audit policy documented in docs/runbook.md ("Audit trail"). */
function documentedPolicy(): string {
  const m = /```yaml\n(apiVersion: audit\.k8s\.io\/v1\n[\s\S]*?)```/.exec(fs.readFileSync(RUNBOOK, 'utf8'));
  if (!m) throw new Error('docs/runbook.md has no audit.k8s.io/v1 Policy block');
  return m[1];
}

describeWithBinaries(['go'], 'the audit policy of docs/runbook.md on the API server\'s own policy loader', () => {
  let check: string;
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sdb-audit-'));
  const load = (name: string, text: string) => {
    const file = path.join(dir, name);
    fs.writeFileSync(file, text);
    const r = spawnSync(check, [file], { encoding: 'utf8', timeout: 30_000 });
    return { status: r.status, output: `${r.stdout}${r.stderr}` };
  };

  beforeAll(async () => {
    // Cold: one go build of k8s.io/apiserver's policy package (minutes); warm: the cached binary.
    check = await auditPolicyCheck();
  }, 20 * 60_000);
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  test('the wrapper builds the loader of the pinned Kubernetes staging version', () => {
    expect(fs.readFileSync(GO_MOD, 'utf8')).toMatch(new RegExp(`^require k8s\\.io/apiserver ${AUDIT_POLICY_CHECK.version.replace(/\./g, '\\.')}$`, 'm'));
  });

  test('loads and validates: Secret reads and changes in the namespace at Metadata level (never the values)', () => {
    const text = documentedPolicy();
    const result = load('policy.yaml', text);
    expect(result.output).toMatch(/policy\.yaml: 2 rules/);
    expect(result.status).toBe(0);
    const policy = YAML.parse(text);
    expect(policy.rules.map((r: any) => [r.level, r.namespaces, r.verbs, r.resources])).toEqual([
      ['Metadata', ['session-store'], ['get', 'list', 'watch'], [{ group: '', resources: ['secrets'] }]],
      ['Metadata', ['session-store'], ['create', 'update', 'patch', 'delete', 'deletecollection'], [{ group: '', resources: ['secrets'] }]],
    ]);
  });

  test('a policy the API server would refuse is refused (the check can fail)', () => {
    const result = load('bad.yaml', documentedPolicy().replace('level: Metadata', 'level: Everything'));
    expect(result.output).toMatch(/Unsupported value: "Everything"/);
    expect(result.status).not.toBe(0);
  });
});
