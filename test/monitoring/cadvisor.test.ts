import * as fs from 'fs';
import * as path from 'path';
import { moduleDir } from '../../scripts/cluster/gomod';
import { describeWithBinaries } from '../support/binaries';
import { cadvisorMetrics } from './support';

const KUBERNETES_GO_MOD = path.join(__dirname, '../../scripts/cluster/go/kubernetes/go.mod');

describeWithBinaries(['go'], 'the cAdvisor metric list the rules are checked against', () => {
  const list = cadvisorMetrics();

  test('names the cAdvisor version that the pinned kubelet embeds', () => {
    const goMod = fs.readFileSync(KUBERNETES_GO_MOD, 'utf8');
    const pinned = new RegExp(`^\\s*${list.module.replace(/[.]/g, '\\.')} (v\\S+)`, 'm').exec(goMod)?.[1];
    expect(pinned).toBe(list.version);
  });

  test('every listed name is a metric that cAdvisor\'s Prometheus collector defines (read from its Go module)', () => {
    const source = fs.readFileSync(path.join(moduleDir(list.module, list.version), 'metrics', 'prometheus.go'), 'utf8');
    const defined = new Set([...source.matchAll(/name:\s+"(container_[a-z0-9_]+)"/g)].map((m) => m[1]));
    expect(defined.size).toBeGreaterThan(40);
    expect([...list.names].filter((n) => !defined.has(n))).toEqual([]);
  });
});
