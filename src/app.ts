import { ApiObject, App, Chart } from 'cdk8s';
import { Construct } from 'constructs';
import { Redis } from './components/redis';
import { Tls } from './components/tls';
import { Monitoring } from './components/monitoring';
import { Maintenance } from './components/maintenance';
import { Autoscaling } from './components/autoscaling';
import { Namespace } from './components/namespace';
import { NetworkPolicies } from './components/network-policies';
import { Secrets } from './components/secrets';
import { Infinispan } from './components/infinispan';
import { ClientContract } from './components/client';
import { MasterEndpoint } from './components/master-endpoint';
import { HealthCheck, HealthCheckTest } from './components/health-check';
import { RenderContext, Guard } from './render/context';
import { customResourceApi } from './render/custom-resources';
import { servedCondition } from './render/helm-only';
import { EmittedObject } from './render/emit';

/** A component becomes one file: dist/<env>/<file>.yaml and templates/<file>.yaml. */
export interface Component {
  readonly file: string;
  build(scope: Construct, ctx: RenderContext): void;
}

export const COMPONENTS: readonly Component[] = [
  { file: 'namespace', build: (scope, ctx) => new Namespace(scope, 'namespace', ctx) },
  { file: 'tls', build: (scope, ctx) => new Tls(scope, 'tls', ctx) },
  { file: 'redis', build: (scope, ctx) => new Redis(scope, 'redis', ctx) },
  { file: 'master-endpoint', build: (scope, ctx) => new MasterEndpoint(scope, 'master-endpoint', ctx) },
  { file: 'monitoring', build: (scope, ctx) => new Monitoring(scope, 'monitoring', ctx) },
  { file: 'maintenance', build: (scope, ctx) => new Maintenance(scope, 'maintenance', ctx) },
  { file: 'autoscaling', build: (scope, ctx) => new Autoscaling(scope, 'autoscaling', ctx) },
  { file: 'secrets', build: (scope, ctx) => new Secrets(scope, 'secrets', ctx) },
  { file: 'network-policies', build: (scope, ctx) => new NetworkPolicies(scope, 'network-policies', ctx) },
  { file: 'infinispan', build: (scope, ctx) => new Infinispan(scope, 'infinispan', ctx) },
  { file: 'client', build: (scope, ctx) => new ClientContract(scope, 'client', ctx) },
  { file: 'health-check', build: (scope, ctx) => new HealthCheck(scope, 'health-check', ctx) },
  // helm test hooks: a folder of their own, which `kubectl apply -f dist/<env>/` does not descend into.
  { file: 'tests/health-check', build: (scope, ctx) => new HealthCheckTest(scope, 'health-check-test', ctx) },
];

export interface RenderedFile {
  readonly file: string;
  readonly objects: readonly EmittedObject[];
}

/** Build every component with one context; objects come in construct-tree order. */
export function render(ctx: RenderContext): RenderedFile[] {
  const app = new App({ outdir: '/nonexistent' });
  return COMPONENTS.map((component) => {
    const chart = new Chart(app, component.file, { disableResourceNameHashes: true });
    component.build(chart, ctx);
    const objects = chart.node
      .findAll()
      .filter((c): c is ApiObject => c instanceof ApiObject)
      .map((o) => {
        const object = o.toJson();
        const api = customResourceApi(object);
        const guards = o.node.scopes.filter((s): s is Guard => s instanceof Guard).map((g) => g.goCondition);
        return { object, conditions: api ? [...guards, servedCondition(api)] : guards };
      });
    return { file: component.file, objects };
  }).filter((f) => f.objects.length > 0 || ctx.isChart);
}
