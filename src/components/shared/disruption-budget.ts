import { Construct } from 'constructs';
import { IPodDisruptionBudget } from 'kubernetes-models/policy/v1/PodDisruptionBudget';
import { RenderContext, Val } from '../../render/context';
import { manifest } from './api-object';
import { metadata, selectorLabels } from './naming';

/** A PodDisruptionBudget over a component's pods. */
export function disruptionBudget(scope: Construct, ctx: RenderContext, component: string, maxUnavailable: Val<number>) {
  manifest<IPodDisruptionBudget>(scope, `${component}-pdb`, {
    apiVersion: 'policy/v1',
    kind: 'PodDisruptionBudget',
    metadata: metadata(ctx, component, component),
    spec: { maxUnavailable, selector: { matchLabels: selectorLabels(ctx, component) } },
  });
}
