import { PathTo, child, truthy } from '../../config/expr';
import { RenderContext, Section } from '../../render/context';
import { selectorLabels } from './naming';

interface TopologySpreadValues {
  readonly enabled: boolean;
  readonly topologyKey: string;
  readonly whenUnsatisfiable: 'DoNotSchedule' | 'ScheduleAnyway';
}

/** Spread a component's pods over failure domains: a spread constraint plus preferred anti-affinity. */
export function spreading(ctx: RenderContext, component: string, path: PathTo<TopologySpreadValues>) {
  const topology = ctx.at(path) as Section<TopologySpreadValues>;
  const enabled = truthy(child(path, 'enabled'));
  const labelSelector = { matchLabels: selectorLabels(ctx, component) };
  return {
    topologySpreadConstraints: ctx.optional(enabled, [
      { maxSkew: 1, topologyKey: topology.topologyKey, whenUnsatisfiable: topology.whenUnsatisfiable, labelSelector },
    ]),
    affinity: ctx.optional(enabled, {
      podAntiAffinity: {
        preferredDuringSchedulingIgnoredDuringExecution: [
          { weight: 100, podAffinityTerm: { topologyKey: topology.topologyKey, labelSelector } },
        ],
      },
    }),
  };
}
