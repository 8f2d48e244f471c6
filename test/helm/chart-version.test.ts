import * as fs from 'fs';
import * as path from 'path';
import * as YAML from 'yaml';
import { HELM_MAJORS } from '../../scripts/helm';
import { packageVersion } from '../../scripts/package';
import { chartDigest, chartDirFiles, releasedCharts, versionProblem } from '../../src/chart/releases';
import { PROJECT_ROOT } from '../../src/render/assets';
import { CHART, helmTemplate } from '../support/helm';
import { chartAt, lastCommitOfVersion } from '../support/git-history';

describe('a published chart version is one content forever', () => {
  const current = chartDigest(chartDirFiles(CHART));

  test('the chart of this checkout may be published under its version', () => {
    expect(versionProblem(packageVersion(), current, releasedCharts())).toBeUndefined();
  });

  test('changed content under an already published version is refused, naming the version to use', () => {
    expect(versionProblem('0.2.0', current, releasedCharts())).toBe(
      `chart version 0.2.0 was already published with other content (${releasedCharts()[0].digest}); the chart changed since, so raise "version" in package.json (e.g. to 0.2.1) and run npm run synth`,
    );
    expect(versionProblem('0.1.0', current, releasedCharts())).toBe('chart version 0.1.0 is older than the published 0.2.0; versions only go up');
  });

  test('each recorded digest is that of the last commit of the version in git history', () => {
    for (const { version, digest } of releasedCharts()) {
      expect([version, chartDigest(chartAt(lastCommitOfVersion(version)))]).toEqual([version, digest]);
    }
  });
});

describe('Chart.yaml', () => {
  const chart = YAML.parse(fs.readFileSync(path.join(CHART, 'Chart.yaml'), 'utf8'));
  const pkg = JSON.parse(fs.readFileSync(path.join(PROJECT_ROOT, 'package.json'), 'utf8'));

  test('takes its version, links and maintainers from package.json and lists every default image', () => {
    expect(chart).toMatchObject({ version: pkg.version, home: pkg.homepage, maintainers: pkg.maintainers, sources: [pkg.repository.url.replace(/\.git$/, '')] });
    expect(chart.icon).toMatch(/\/docs\/icon\.svg$/);
    expect(fs.existsSync(path.join(PROJECT_ROOT, 'docs/icon.svg'))).toBe(true);
    const images = YAML.parse(chart.annotations['artifacthub.io/images']).map((i: { image: string }) => i.image);
    expect(images).toContain(`docker.io/library/redis:${chart.appVersion}`);
    expect(YAML.parse(chart.annotations['artifacthub.io/changes']).length).toBeGreaterThan(0);
  });

  test.each(HELM_MAJORS)('Helm %i refuses a Kubernetes older than kubeVersion and renders for a current one', (major) => {
    const old = helmTemplate(major, {}, ['--kube-version', '1.26.0']);
    expect(old.status).not.toBe(0);
    expect(old.stderr).toMatch(/kubeVersion|incompatible with Kubernetes/);
    const current = helmTemplate(major, { auth: { existingSecret: 's' } }, ['--kube-version', '1.35.0']);
    expect(current.stderr).toBe('');
    expect(current.status).toBe(0);
  });
});
