import { execFileSync } from 'child_process';
import * as path from 'path';
import { PROJECT_ROOT } from '../src/render/assets';
import { hasBinary } from './support/binaries';
import { loadDist } from './support/manifests';
import { UnknownFieldChecker, schemaErrors } from './support/kubernetes-schema';

const environments = ['dev', 'production'] as const;
const objects = environments.flatMap((env) => loadDist(env).map((object) => ({ env, object })));
const checker = new UnknownFieldChecker(objects.map(({ object }) => object));

describe('every synthesized object', () => {
  test.each(environments)('%s: validates against the Kubernetes schema of its kind', (env) => {
    const errors = objects.filter((o) => o.env === env).flatMap(({ object }) => schemaErrors(object));
    expect(errors).toEqual([]);
  });

  test.each(environments)('%s: has no field its schema does not know', (env) => {
    const errors = objects.filter((o) => o.env === env).flatMap(({ object }) => checker.check(object));
    expect(errors).toEqual([]);
  });
});

describe('the schema checks', () => {
  const statefulSet = objects.find(({ object }) => object.kind === 'StatefulSet')!.object;

  test('catch a field the schema does not know, deep inside a pod template', () => {
    const bad = structuredClone(statefulSet);
    bad.spec.template.spec.containers[0].readinesProbe = bad.spec.template.spec.containers[0].readinessProbe;
    bad.spec.replica = 3;
    expect(checker.check(bad)).toEqual([
      `StatefulSet/${bad.metadata.name}.spec.template.spec.containers[0].readinesProbe: unknown field`,
      `StatefulSet/${bad.metadata.name}.spec.replica: unknown field`,
    ]);
  });

  test('catch a wrong type and a missing required field', () => {
    const bad = structuredClone(statefulSet);
    bad.spec.replicas = 'three';
    delete bad.spec.selector;
    expect(schemaErrors(bad).join('\n')).toMatch(/replicas/);
    expect(schemaErrors(bad).join('\n')).toMatch(/selector/);
  });

  test('refuse a kind it has no schema for', () => {
    expect(schemaErrors({ apiVersion: 'example.com/v1', kind: 'Widget', metadata: { name: 'w' } })).toEqual([
      'example.com/v1/Widget: no schema model for this kind',
    ]);
  });
});

// Users' CI has kubeconform (it cannot be installed here); where it is on PATH it checks too.
if (hasBinary('kubeconform')) {
  test.each(environments)('%s: passes kubeconform -strict', (env) => {
    execFileSync('kubeconform', ['-strict', '-summary', '-ignore-missing-schemas', path.join(PROJECT_ROOT, 'dist', env)], { stdio: 'pipe' });
  });
}
