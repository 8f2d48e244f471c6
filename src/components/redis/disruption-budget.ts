import { Construct } from 'constructs';
import { IPodDisruptionBudget } from 'kubernetes-models/policy/v1/PodDisruptionBudget';
import { RenderContext } from '../../render/context';
import { manifest } from '../shared/api-object';
import { metadata, selectorLabels } from '../shared/naming';

export function disruptionBudget(scope: Construct, ctx: RenderContext, component: string, maxUnavailable: number) {
  manifest<IPodDisruptionBudget>(scope, `${component}-pdb`, {
    apiVersion: 'policy/v1',
    kind: 'PodDisruptionBudget',
    metadata: metadata(ctx, component, component),
    spec: { maxUnavailable, selector: { matchLabels: selectorLabels(ctx, component) } },
  });
}
