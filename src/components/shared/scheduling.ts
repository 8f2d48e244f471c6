import { PathTo, Pred, child, truthy } from '../../config/expr';
import { RenderContext, Section } from '../../render/context';
import { selectorLabels } from './naming';

interface TopologySpreadValues {
  readonly enabled: boolean;
  readonly topologyKey: string;
  readonly whenUnsatisfiable: 'DoNotSchedule' | 'ScheduleAnyway';
}

/** The default spreading of a component's pods, when topologySpread.enabled holds. */
export interface Spreading {
  readonly enabled: Pred;
  readonly constraints: unknown[];
  readonly antiAffinity: unknown;
}

/** Spread a component's pods over failure domains: a spread constraint plus preferred anti-affinity. */
export function spreading(ctx: RenderContext, component: string, path: PathTo<TopologySpreadValues>): Spreading {
  const topology = ctx.at(path) as Section<TopologySpreadValues>;
  const labelSelector = { matchLabels: selectorLabels(ctx, component) };
  return {
    enabled: truthy(child(path, 'enabled')),
    constraints: [{ maxSkew: 1, topologyKey: topology.topologyKey, whenUnsatisfiable: topology.whenUnsatisfiable, labelSelector }],
    antiAffinity: {
      preferredDuringSchedulingIgnoredDuringExecution: [{ weight: 100, podAffinityTerm: { topologyKey: topology.topologyKey, labelSelector } }],
    },
  };
}
