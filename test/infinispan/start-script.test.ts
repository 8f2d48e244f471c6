import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { FULLNAME, configMapData } from '../support/manifests';
import { renderInfinispan, statefulSet } from './values';

/**
 * The start script's refusals, run from the synthesized ConfigMap with the StatefulSet's own env (mount
 * paths pointed into a temp dir) under the real /bin/sh: each stops before the CLI. The script's work with
 * the real CLI and server (identities batch, server start) is proven in test/infinispan/live/.
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
  // Nothing below is reached by a refusal: an empty home makes any later step fail loudly.
  env.ISPN_HOME = path.join(root, 'no-infinispan-here');
  return env;
}

function start(env: Record<string, string>, secrets: Record<string, string>) {
  for (const [k, v] of Object.entries(secrets)) fs.writeFileSync(path.join(env.SECRETS_DIR, k), v);
  const configDir = env.CONFIG_DIR;
  return spawnSync('/bin/sh', [path.join(configDir, 'start.sh')], { env: { PATH: process.env.PATH!, ...env }, encoding: 'utf8', timeout: 10_000 });
}


test('refuses to start without the Infinispan keys in the Secret, naming the key', () => {
  const r = start(podEnv(), { 'infinispan-username': 'agents' });
  expect(r.status).toBe(1);
  expect(r.stderr).toMatch(/start\.sh: .*infinispan-password is missing or empty: add the key infinispan-password to the auth Secret/);
});

test('refuses a user name the CLI could misread', () => {
  const r = start(podEnv(), { 'infinispan-username': 'a b', 'infinispan-password': 'x' });
  expect(r.status).toBe(1);
  expect(r.stderr).toMatch(/user name in infinispan-username may only contain/);
});

test('refuses a password the CLI batch cannot carry, naming the key', () => {
  for (const password of ['has"quote', 'back\\slash', 'two\nlines']) {
    const r = start(podEnv(), { 'infinispan-username': 'agents', 'infinispan-password': password });
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/the password in infinispan-password may not contain a double quote, a backslash or a line break/);
  }
});
