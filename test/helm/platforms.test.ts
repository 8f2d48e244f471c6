import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { HELM_MAJORS, helmPath } from '../../scripts/helm';
import { CHART, OPERATOR_APIS, byName, helmTemplate, helmValuesText, renderedObjects } from '../support/helm';
import { podTemplates, renderValues } from '../support/manifests';
import { checkPod } from '../support/pod-security-admission';

/** Every component on, so every pod template is rendered. */
const EVERYTHING = {
  auth: { existingSecret: 's' },
  tls: { enabled: true, bootstrapCA: true },
  infinispan: { enabled: true },
  maintenance: { backup: { enabled: true } },
  monitoring: { mode: 'standalone', standalone: { grafana: { adminSecret: 'g' } } },
};
const FIXED_IDS = ['runAsUser', 'runAsGroup', 'fsGroup'];

describe.each(HELM_MAJORS)('Helm %i', (major) => {
  test('global.openshift leaves the fixed user, group and fsGroup to the SCC and stays Pod Security "restricted"', () => {
    const values = { ...EVERYTHING, global: { openshift: true } };
    const objects = renderedObjects(helmTemplate(major, values));
    expect(byName(objects)).toEqual(byName(renderValues(values)));
    const pods = podTemplates(objects);
    expect(pods.length).toBeGreaterThanOrEqual(7);
    for (const { owner, spec } of pods) {
      const where = `${owner.kind}/${owner.metadata.name}`;
      const ids = [spec.securityContext ?? {}, ...[...spec.containers, ...(spec.initContainers ?? [])].map((c: any) => c.securityContext ?? {})]
        .flatMap((sc) => FIXED_IDS.filter((k) => k in sc));
      expect({ where, ids }).toEqual({ where, ids: [] });
      expect({ where, violations: checkPod({ spec }) }).toEqual({ where, violations: [] });
    }
    // Without the switch the ids are fixed (the images' users), so the switch is what removes them.
    const fixed = podTemplates(renderedObjects(helmTemplate(major, EVERYTHING)));
    expect(fixed.every(({ spec }) => typeof spec.securityContext?.runAsUser === 'number')).toBe(true);
  });

  test('an umbrella chart can depend on it: Helm passes global (imageRegistry, pull secrets) and the subchart values', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sd-umbrella-'));
    try {
      fs.mkdirSync(path.join(dir, 'charts'));
      fs.cpSync(CHART, path.join(dir, 'charts', 'session-database'), { recursive: true });
      fs.writeFileSync(path.join(dir, 'Chart.yaml'), 'apiVersion: v2\nname: platform\nversion: 1.0.0\ndependencies:\n  - name: session-database\n    version: ">=0.3.0"\n');
      fs.writeFileSync(path.join(dir, 'values.yaml'), helmValuesText({
        global: { imageRegistry: 'mirror.internal', imagePullSecrets: ['mirror-pull'], team: 'payments' },
        'session-database': { auth: { existingSecret: 'sessions-auth' }, redis: { replicas: 5 } },
      }));
      const r = spawnSync(helmPath(major), ['template', 'platform', dir, '-n', 'shop', ...OPERATOR_APIS], { encoding: 'utf8', timeout: 60_000 });
      expect(r.stderr).toBe('');
      const objects = renderedObjects({ status: r.status, stdout: r.stdout, stderr: r.stderr });
      const pods = podTemplates(objects);
      expect(pods.length).toBeGreaterThan(0);
      for (const { spec } of pods) {
        for (const c of spec.containers) expect(c.image).toMatch(/^mirror\.internal\//);
        expect(spec.imagePullSecrets).toEqual(expect.arrayContaining([{ name: 'mirror-pull' }]));
      }
      expect(objects.find((o) => o.kind === 'StatefulSet' && o.metadata.name.endsWith('-redis'))?.spec.replicas).toBe(5);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
