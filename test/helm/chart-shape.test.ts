import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import * as YAML from 'yaml';
import { HELM_MAJORS } from '../../scripts/helm';
import { defaultConfig } from '../../src/config/schema';
import { PROJECT_ROOT } from '../../src/render/assets';
import { synthesize } from '../../src/synth/outputs';
import { CHART, OPERATOR_APIS, helm, helmTemplate, renderedObjects } from '../support/helm';

const chartFile = (name: string) => fs.readFileSync(path.join(CHART, name), 'utf8');

describe('the chart', () => {
  test('takes its version from package.json and its appVersion from the Redis image', () => {
    const chart = YAML.parse(chartFile('Chart.yaml'));
    expect(chart.version).toBe(JSON.parse(fs.readFileSync(path.join(PROJECT_ROOT, 'package.json'), 'utf8')).version);
    expect(chart.appVersion).toBe(defaultConfig().redis.image.tag);
  });

  test('holds every default of the schema in values.yaml, each key documented', () => {
    expect(YAML.parse(chartFile('values.yaml'))).toEqual(defaultConfig());
    const lines = chartFile('values.yaml').split('\n');
    lines.forEach((line, i) => {
      if (/^\s*[A-Za-z][\w-]*: \S/.test(line)) expect(lines[i - 1]).toMatch(/^\s*# -- \S/);
    });
  });

  test('has a values schema that refuses unknown keys at every level', () => {
    const schema = JSON.parse(chartFile('values.schema.json'));
    const walk = (node: any, where: string) => {
      if (node.type === 'object' && node.properties) {
        // global is shared with an umbrella chart and its other subcharts, which keep their own keys there.
        const expected = where === '$.global' ? {} : false;
        expect({ where, additionalProperties: node.additionalProperties }).toEqual({ where, additionalProperties: expected });
        for (const [k, child] of Object.entries(node.properties)) walk(child, `${where}.${k}`);
      }
    };
    walk(schema, '$');
    expect(schema.properties.redis.properties.mode.enum).toEqual(['standalone', 'sentinel']);
    expect(schema.properties.redis.properties.replicas.minimum).toBe(1);
  });

  test.each(HELM_MAJORS)('lets two releases live side by side in one namespace (Helm %i)', (major) => {
    const values = { auth: { existingSecret: 'shared-auth' }, namespace: { name: 'shared' } };
    const first = renderedObjects(helmTemplate(major, values, []));
    const r = helm(major, ['template', 'other', CHART, '-n', 'shared', '--set', 'auth.existingSecret=shared-auth', '--set', 'namespace.name=shared', ...OPERATOR_APIS]);
    const second = renderedObjects(r);
    const names = (objects: any[]) => new Set(objects.filter((o) => o.kind !== 'Namespace').map((o) => `${o.kind}/${o.metadata.name}`));
    const overlap = [...names(first)].filter((n) => names(second).has(n));
    expect(overlap).toEqual([]);
    const selectors = (objects: any[]) => objects.filter((o) => o.spec?.selector?.matchLabels).map((o) => o.spec.selector.matchLabels['app.kubernetes.io/instance']);
    expect(new Set(selectors(first))).toEqual(new Set(['session-database']));
    expect(new Set(selectors(second))).toEqual(new Set(['other']));
  });

  // Helm 3 needs a cluster for install --dry-run once a chart uses lookup (the generated Secret does).
  test('tells how to connect and where the passwords are (NOTES.txt, Helm 4)', () => {
    const r = helm(4, ['install', 'sd', CHART, '-f', 'values/production.yaml', '-n', 'session-store', '--dry-run=client']);
    expect(r.status).toBe(0);
    const notes = r.stdout.slice(r.stdout.indexOf('NOTES:'));
    expect(notes).toContain('sd-sentinel.session-store.svc.cluster.local:26379');
    expect(notes).toContain('master name: mymaster');
    expect(notes).toContain('session-database-auth');
    // values/production.yaml turns TLS on: the URL scheme says so, and where the CA is.
    expect(notes).toContain('rediss://sd-sentinel.session-store.svc.cluster.local:26379');
    expect(notes).toContain('ca.crt of the Secret sd-client-tls');
    // The master endpoint for clients that do not speak Sentinel, with the ACL user and the sessions DB.
    expect(notes).toContain('REDIS_URL:   rediss://app@sd-master.session-store.svc.cluster.local:6379/0');
    expect(notes).toContain('ConfigMap sd-client');
    expect(notes).toContain('admit only client pods that carry the labels {"session-database/client":"true"} and run in namespaces labelled {"session-database/clients":"true"}');
  });

  test('NOTES.txt names redis:// without TLS and the client selectors the NetworkPolicies use (Helm 4)', () => {
    const values = path.join(os.tmpdir(), `sd-notes-${process.pid}.yaml`);
    fs.writeFileSync(values, 'auth: {existingSecret: s}\nredis: {mode: standalone, replicas: 1}\nnetworkPolicy: {clients: {podSelector: {app: shop}, namespaceSelector: {team: shop}}}\n');
    try {
      const r = helm(4, ['install', 'sd', CHART, '-f', values, '-n', 'shop', '--dry-run=client']);
      expect(r.status).toBe(0);
      const notes = r.stdout.slice(r.stdout.indexOf('NOTES:'));
      expect(notes).toContain('redis://sd-redis.shop.svc.cluster.local:6379');
      expect(notes).not.toContain('rediss://');
      expect(notes).toContain('admit only client pods that carry the labels {"app":"shop"} and run in namespaces labelled {"team":"shop"}');
      fs.writeFileSync(values, 'auth: {existingSecret: s}\n');
      const defaults = helm(4, ['install', 'sd', CHART, '-f', values, '-n', 'shop', '--dry-run=client']);
      expect(defaults.stdout).toContain('kubectl label pod <pod> -n shop session-database/client=true');
      expect(defaults.stdout).not.toContain('generated by Helm');
      fs.writeFileSync(values, '{}\n');
      const generated = helm(4, ['install', 'sd', CHART, '-f', values, '-n', 'shop', '--dry-run=client']);
      expect(generated.stdout).toContain('would generate new\nones on every render: for those, create the Secret yourself and set auth.existingSecret');
    } finally {
      fs.rmSync(values, { force: true });
    }
  });
});

describe('cdk8s synth', () => {
  test('runs the same app and writes the same files as npm run synth', () => {
    // A scratch checkout: the CLI deletes its output dir before it runs the app.
    const root = fs.mkdtempSync(path.join(os.tmpdir(), 'sd-cdk8s-'));
    for (const file of ['package.json', 'cdk8s.yaml']) fs.copyFileSync(path.join(PROJECT_ROOT, file), path.join(root, file));
    fs.cpSync(path.join(PROJECT_ROOT, 'values'), path.join(root, 'values'), { recursive: true });
    for (const dir of ['src', 'scripts', 'node_modules']) fs.symlinkSync(path.join(PROJECT_ROOT, dir), path.join(root, dir));
    const r = spawnSync(path.join(PROJECT_ROOT, 'node_modules', '.bin', 'cdk8s'), ['synth', '--check-upgrade', 'false'], { cwd: root, encoding: 'utf8', env: { ...process.env, SESSION_DATABASE_ROOT: '' } });
    expect(r.stderr.replace(/^npm warn.*\n/gm, '')).not.toMatch(/error/i);
    expect(r.status).toBe(0);
    try {
      for (const [file, text] of synthesize(root).files) {
        expect({ file, text: fs.readFileSync(path.join(root, file), 'utf8') }).toEqual({ file, text });
      }
    } finally {
      fs.rmSync(root, { recursive: true, force: true });
    }
  });
});
