import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { FULLNAME, configMapData } from '../support/manifests';
import { renderInfinispan, statefulSet } from './values';

/**
 * Runs the start script from the synthesized ConfigMap with the StatefulSet's own env
 * (mount paths pointed into a temp dir) under the real /bin/sh. The Infinispan
 * distribution itself cannot be installed on this machine (only the npm and Debian
 * registries are reachable), so ISPN_HOME holds two recording stand-ins for bin/cli.sh
 * and bin/server.sh: they check the contract the script hands them (what arguments,
 * which environment, which files), not Infinispan's behaviour.
 */
const objects = renderInfinispan();
const data = configMapData(objects, `${FULLNAME}-infinispan-config`);
const container = statefulSet(objects).spec.template.spec.containers[0];

let root: string;
beforeEach(() => {
  root = fs.mkdtempSync(path.join(os.tmpdir(), 'infinispan-start-'));
});
afterEach(() => fs.rmSync(root, { recursive: true, force: true }));

function podEnv(): Record<string, string> {
  const env: Record<string, string> = {};
  for (const e of container.env) {
    if (e.valueFrom?.fieldRef?.fieldPath === 'metadata.name') env[e.name] = `${FULLNAME}-infinispan-0`;
    else if (e.valueFrom?.fieldRef?.fieldPath === 'status.podIP') env[e.name] = '127.0.50.1';
    else env[e.name] = e.value;
  }
  // Mount paths → directories of the temp "pod", in the env and in the ConfigMap files.
  const rewrite: [string, string][] = [];
  for (const m of container.volumeMounts) {
    const dir = path.join(root, m.name);
    fs.mkdirSync(dir, { recursive: true });
    rewrite.push([m.mountPath, dir]);
    for (const [k, v] of Object.entries(env)) if (v === m.mountPath) env[k] = dir;
  }
  for (const [k, v] of Object.entries(data)) {
    const longestFirst = rewrite.sort((a, b) => b[0].length - a[0].length);
    const pattern = new RegExp(longestFirst.map(([from]) => from.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')).join('|'), 'g');
    fs.writeFileSync(path.join(root, 'config', k), v.replace(pattern, (from) => longestFirst.find(([f]) => f === from)![1]));
  }
  env.ISPN_HOME = path.join(root, 'ispn');
  fs.mkdirSync(path.join(env.ISPN_HOME, 'bin'), { recursive: true });
  // cli.sh stand-in: record argv and the two variables `user create` reads, then write
  // the files the batch names, as `user create --users-file --groups-file` does.
  fs.writeFileSync(path.join(env.ISPN_HOME, 'bin', 'cli.sh'), `#!/bin/sh
printf '%s\\n' "$@" > "${root}/cli.args"
printf 'ISPN_USERNAME=%s\\nISPN_PASSWORD=%s\\n' "$ISPN_USERNAME" "$ISPN_PASSWORD" > "${root}/cli.env"
batch=$(echo "$1" | sed 's/^--file=//')
cp "$batch" "${root}/batch.seen"
users=$(grep -o -- '--users-file=[^ ]*' "$batch" | cut -d= -f2)
groups=$(grep -o -- '--groups-file=[^ ]*' "$batch" | cut -d= -f2)
echo "$ISPN_USERNAME=hash" > "$users"; echo "$ISPN_USERNAME=application" > "$groups"
`, { mode: 0o755 });
  fs.writeFileSync(path.join(env.ISPN_HOME, 'bin', 'server.sh'), `#!/bin/sh
printf '%s\\n' "$@" > "${root}/server.args"
env > "${root}/server.env"
`, { mode: 0o755 });
  return env;
}

function start(env: Record<string, string>, secrets: Record<string, string>) {
  for (const [k, v] of Object.entries(secrets)) fs.writeFileSync(path.join(env.SECRETS_DIR, k), v);
  const configDir = env.CONFIG_DIR;
  return spawnSync('/bin/sh', [path.join(configDir, 'start.sh')], { env: { PATH: process.env.PATH!, ...env }, encoding: 'utf8', timeout: 10_000 });
}

const read = (f: string) => fs.readFileSync(path.join(root, f), 'utf8');

test('creates the identity from the Secret, hands the password only to the CLI, then starts the server', () => {
  const env = podEnv();
  const r = start(env, { 'infinispan-username': 'agents', 'infinispan-password': 's3cret-Pa55' });
  expect([r.status, r.stderr]).toEqual([0, '']);
  expect(read('cli.args').trim()).toBe(`--file=${env.CONFIG_DIR}/identities.batch`);
  expect(read('cli.env')).toBe('ISPN_USERNAME=agents\nISPN_PASSWORD=s3cret-Pa55\n'); // pragma: allowlist secret -- test fixture
  expect(data['identities.batch']).toBe(
    'user create --groups=application --users-file=/etc/infinispan/identities/users.properties --groups-file=/etc/infinispan/identities/groups.properties\n',
  );
  expect(read('batch.seen')).toBe(data['identities.batch'].split('/etc/infinispan/identities').join(env.IDENTITIES_DIR));
  expect(read('identities/users.properties')).toBe('agents=hash\n');
  expect(read('server.args').trim().split('\n')).toEqual([
    `--server-config=${env.CONFIG_DIR}/infinispan.yaml`,
    '--bind-address=0.0.0.0',
    `--node-name=${FULLNAME}-infinispan-0`,
    `-Djgroups.dns.query=${FULLNAME}-infinispan-ping.sessions.svc.cluster.local`,
    '-Djgroups.bind.address=127.0.50.1',
  ]);
  // Neither the server's arguments nor its environment carry the password.
  expect(read('server.args') + read('server.env')).not.toContain('s3cret-Pa55');
  expect(read('server.env')).toMatch(/^JAVA_OPTIONS=-XX:MaxRAMPercentage=60 -XX:\+ExitOnOutOfMemoryError$/m);
});

test('refuses to start without the Infinispan keys in the Secret, naming the key', () => {
  const r = start(podEnv(), { 'infinispan-username': 'agents' });
  expect(r.status).toBe(1);
  expect(r.stderr).toMatch(/start\.sh: .*infinispan-password is missing or empty: add the key infinispan-password to the auth Secret/);
  expect(fs.existsSync(path.join(root, 'server.args'))).toBe(false);
});

test('refuses a user name the CLI could misread', () => {
  const r = start(podEnv(), { 'infinispan-username': 'a b', 'infinispan-password': 'x' });
  expect(r.status).toBe(1);
  expect(r.stderr).toMatch(/user name in infinispan-username may only contain/);
});

test('fails when the identities batch wrote no users file', () => {
  const env = podEnv();
  fs.writeFileSync(path.join(env.ISPN_HOME, 'bin', 'cli.sh'), '#!/bin/sh\nexit 0\n', { mode: 0o755 });
  const r = start(env, { 'infinispan-username': 'agents', 'infinispan-password': 'pw' });
  expect(r.status).toBe(1);
  expect(r.stderr).toMatch(/the identities batch wrote no/);
});
