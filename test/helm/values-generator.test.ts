import fc from 'fast-check';
import * as YAML from 'yaml';
import { z } from 'zod';
import { HELM_MAJORS } from '../../scripts/helm';
import { parseValues, validate } from '../../src/config/load';
import { rules } from '../../src/config/rules';
import { defaultConfig } from '../../src/config/schema';
import { labelMap } from '../../src/config/types';
import { NARROWED, PARITY_RUNS, arbitraryOf, leafCoverage, leafPaths, paritySeed, validValues } from './values-generator';
import { REPAIRS } from './values-repairs';

describe('the schema-derived values generator', () => {
  test('gives value sets that the loader accepts from the same YAML file Helm reads', () => {
    fc.assert(
      fc.property(validValues, (values) => {
        const text = YAML.stringify(values, { version: '1.1' });
        expect(parseValues(text, 'values/generated.yaml')).toEqual(validate(values, 'values/generated.yaml'));
      }),
      { numRuns: 100, seed: 4242 },
    );
  });

  test('has a repair for every cross-key rule, and none for a rule that no longer exists', () => {
    const rulePaths = [...new Set(rules.map((r) => r.path))].sort();
    expect(Object.keys(REPAIRS).sort()).toEqual(rulePaths);
  });

  test('narrows only keys that exist in the schema', () => {
    const leaves = new Set(leafPaths());
    expect(Object.keys(NARROWED).filter((path) => !leaves.has(path))).toEqual([]);
  });

  test.each(HELM_MAJORS)('varies every leaf key within the %i parity run count and seed', (major) => {
    const sets = fc.sample(validValues, { seed: paritySeed(major), numRuns: PARITY_RUNS }).map((v) => validate(v, 'values/generated.yaml'));
    const { neverVaried, untakenChoices, leaves } = leafCoverage(sets);
    expect({ neverVaried, untakenChoices }).toEqual({ neverVaried: [], untakenChoices: [] });
    expect(leaves).toBe(leafPaths().length);
  });

  test('coverage names the leaf keys that never varied and the choices never taken', () => {
    const { neverVaried, untakenChoices } = leafCoverage([defaultConfig(), defaultConfig()]);
    expect(neverVaried).toEqual(leafPaths());
    expect(untakenChoices).toEqual(expect.arrayContaining(['redis.mode=standalone', 'tls.enabled=true', 'monitoring.mode=operator']));
  });

  // Kinds of keys the next schema additions bring (scheduling, images, pod extensions): handled without edits.
  const upcoming = {
    nodeSelector: labelMap.default({}),
    tolerations: z.array(z.object({ key: z.string().optional(), operator: z.enum(['Exists', 'Equal']).optional(), effect: z.string().optional() })).default([]),
    affinity: z.record(z.string(), z.unknown()).default({}),
    podSecurityContext: z.looseObject({}).default({}),
    sidecars: z.array(z.record(z.string(), z.unknown())).default([]),
    extraEnvVars: z.array(z.object({ name: z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/), value: z.string().optional(), valueFrom: z.unknown().optional() })).default([]),
    digest: z.string().regex(/^sha256:[a-f0-9]{64}$/).or(z.literal('')).default(''),
    registry: z.string().nullable().default(null),
    priorityClassName: z.string().max(10).default(''),
    extraConfig: z.string().default(''),
  };
  test.each(Object.keys(upcoming))('generates valid, varied values for a key like %s', (key) => {
    const schema = upcoming[key as keyof typeof upcoming];
    const samples = fc.sample(arbitraryOf(schema), { seed: 7, numRuns: 40 });
    for (const sample of samples) expect(schema.safeParse(sample).success).toBe(true);
    expect(new Set(samples.map((s) => JSON.stringify(s))).size).toBeGreaterThan(1);
  });
});
