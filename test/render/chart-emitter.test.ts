import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import * as YAML from 'yaml';
import { HELM_MAJORS } from '../../scripts/helm';
import { eq, at, truthy, not } from '../../src/config/expr';
import { RenderContext } from '../../src/render/context';
import { chartDocuments, staticDocuments } from '../../src/render/emit';
import { releaseInfo } from '../../src/synth/outputs';
import { helm } from '../support/helm';

/**
 * The emitter on its own: hand-made objects with every kind of token, rendered by real
 * Helm with values that take each branch, must equal the static rendering of the same values.
 */
function build(ctx: RenderContext) {
  const v = ctx.values;
  return {
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: { name: `${v.fullnameOverride}-x`, namespace: 'ns' },
    data: {
      // A number Helm would print as 1.8e+06 without the int64 the schema asks for.
      big: ctx.asString(v.sessions.refreshTokenTtlSeconds),
      mode: ctx.choose(eq(at('redis.mode'), 'sentinel'), 'ha', 'single'),
      'file.conf': ctx.fill('a @@redis.replicas@@\n@@opt@@b {{ literal }} $labels\n', {
        opt: ctx.optional(truthy('redis.persistence.enabled'), `persist yes\nsave "${v.redis.persistence.save}"\n`) ?? '',
      }),
      dashboard: '{"legend": "{{instance}} / {{ $labels.pod }}"}',
    },
    nested: ctx.optional(truthy('redis.persistence.enabled'), {
      claim: { size: v.redis.persistence.size, cls: ctx.optional(truthy('redis.persistence.storageClass'), v.redis.persistence.storageClass) },
    }),
    items: ctx.list('first', ctx.optional(not(truthy('redis.persistence.enabled')), 'ephemeral'), v.labels as any),
  };
}

const variants = [
  { fullnameOverride: 'a', redis: { mode: 'sentinel', replicas: 3, persistence: { enabled: true, storageClass: 'fast', save: '900 1' } }, sessions: { refreshTokenTtlSeconds: 1800000 }, labels: { team: 'x' } },
  { fullnameOverride: 'b', redis: { mode: 'standalone', replicas: 1, persistence: { enabled: false, storageClass: '' } }, labels: {} },
  { fullnameOverride: 'c', redis: { mode: 'sentinel', replicas: 2, persistence: { enabled: true, storageClass: '', save: '' } }, sessions: { refreshTokenTtlSeconds: 12345678 } },
];

describe.each(HELM_MAJORS)('the chart emitter (Helm %i)', (major) => {
  const chartCtx = RenderContext.forChart(releaseInfo());
  const template = chartDocuments([{ object: build(chartCtx) as any, conditions: [] }], chartCtx.tokens);
  const chart = fs.mkdtempSync(path.join(os.tmpdir(), 'sd-emitter-'));
  fs.mkdirSync(path.join(chart, 'templates'));
  fs.writeFileSync(path.join(chart, 'Chart.yaml'), 'apiVersion: v2\nname: emitter\nversion: 0.1.0\n');
  fs.writeFileSync(path.join(chart, 'templates', 'x.yaml'), template);
  afterAll(() => fs.rmSync(chart, { recursive: true, force: true }));

  test.each(variants)('renders what static mode renders for %j', (values) => {
    const { configSchema } = require('../../src/config/schema');
    const config = configSchema.parse(values);
    fs.writeFileSync(path.join(chart, 'values.yaml'), YAML.stringify(config));
    const r = helm(major, ['template', 'r', chart]);
    expect(r.stderr).toBe('');
    const staticCtx = RenderContext.forEnvironment(config, releaseInfo());
    expect(YAML.parse(r.stdout)).toEqual(YAML.parse(staticDocuments([build(staticCtx)])));
  });

  test('keeps literal template braces of data verbatim', () => {
    const config = require('../../src/config/schema').configSchema.parse(variants[0]);
    fs.writeFileSync(path.join(chart, 'values.yaml'), YAML.stringify(config));
    const out = YAML.parse(helm(major, ['template', 'r', chart]).stdout);
    expect(out.data.dashboard).toBe('{"legend": "{{instance}} / {{ $labels.pod }}"}');
    expect(out.data['file.conf']).toContain('b {{ literal }} $labels');
    expect(out.data.big).toBe('1800000');
  });
});
