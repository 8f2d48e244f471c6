import { ApiObject, App, Chart } from 'cdk8s';
import { Construct } from 'constructs';
import { Redis } from './components/redis';
import { RenderContext, Guard } from './render/context';
import { EmittedObject } from './render/emit';

/** A component becomes one file: dist/<env>/<file>.yaml and templates/<file>.yaml. */
export interface Component {
  readonly file: string;
  build(scope: Construct, ctx: RenderContext): void;
}

export const COMPONENTS: readonly Component[] = [
  { file: 'redis', build: (scope, ctx) => new Redis(scope, 'redis', ctx) },
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
      .map((o) => ({
        object: o.toJson(),
        conditions: o.node.scopes.filter((s): s is Guard => s instanceof Guard).map((g) => g.goCondition),
      }));
    return { file: component.file, objects };
  }).filter((f) => f.objects.length > 0 || ctx.isChart);
}
