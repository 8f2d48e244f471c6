import { Construct } from 'constructs';
import { INetworkPolicy } from 'kubernetes-models/networking.k8s.io/v1/NetworkPolicy';
import { ConfigPath, Pred, all, any, truthy } from '../../config/expr';
import { POLICY_WORKLOADS, PolicyWorkload } from '../../config/sections/network-policy';
import { RenderContext, Val } from '../../render/context';
import { manifest } from '../shared/api-object';
import { metadata, releasePodLabels } from '../shared/naming';
import { Endpoint, FLOWS, Flow, OWN_COMPONENTS, OwnComponent } from './flows';
import { ownSelector, peer } from './peers';

const COMPONENT_LABEL = 'network-policy';

type Direction = 'ingress' | 'egress';

const ownName = (e: Endpoint) => ('own' in e ? e.own : undefined);
const same = (a: Pred | undefined, b: Pred | undefined) => JSON.stringify(a) === JSON.stringify(b);

/** networkPolicy.<workload>.extraIngress|extraEgress: rules from the values appended to the policy. */
function extraPath(component: OwnComponent, direction: Direction): ConfigPath | undefined {
  if (!(component.name in POLICY_WORKLOADS)) return undefined;
  return `networkPolicy.${component.name as PolicyWorkload}.${direction === 'ingress' ? 'extraIngress' : 'extraEgress'}`;
}

/**
 * Where the policy of (component, direction) exists: the component exists and at least one of its
 * flows does, or the values add rules to it.
 */
function policyCondition(component: OwnComponent, flows: readonly Flow[], extra: ConfigPath | undefined): Pred | undefined {
  const preds: Pred[] = [];
  if (component.when) preds.push(component.when);
  if (flows.every((f) => f.when)) {
    const distinct = flows.map((f) => f.when!).filter((p, i, list) => list.findIndex((q) => same(p, q)) === i);
    const extraPred = extra ? [truthy(extra)] : [];
    const flowPred = distinct.length + extraPred.length === 1 ? [...distinct, ...extraPred][0] : any(...distinct, ...extraPred);
    if (!same(flowPred, component.when)) preds.push(flowPred);
  }
  if (preds.length === 0) return undefined;
  return preds.length === 1 ? preds[0] : all(...preds);
}

/**
 * Default deny for every pod of the release, ingress and egress, then one ingress and one
 * egress policy per component with exactly the flows of flows.ts. A flow between two of
 * the chart's components is allowed on both sides (egress at the source, ingress at the
 * destination); a flow with an outside peer only on the chart's side.
 */
export class NetworkPolicies extends Construct {
  constructor(scope: Construct, id: string, ctx: RenderContext) {
    super(scope, id);
    const enabled = ctx.guard(this, 'enabled', truthy('networkPolicy.enabled'));
    if (!enabled) return;

    manifest<INetworkPolicy>(enabled, 'default-deny', {
      apiVersion: 'networking.k8s.io/v1',
      kind: 'NetworkPolicy',
      metadata: metadata(ctx, 'default-deny', COMPONENT_LABEL),
      spec: { podSelector: { matchLabels: releasePodLabels(ctx) }, policyTypes: ['Ingress', 'Egress'] },
    });

    for (const component of OWN_COMPONENTS) {
      for (const direction of ['ingress', 'egress'] as const) {
        const flows = FLOWS.filter((f) => ownName(direction === 'ingress' ? f.to : f.from) === component.name);
        const extra = extraPath(component, direction);
        if (flows.length === 0 && !extra) continue;
        const id = `${component.name}-${direction}`;
        const condition = policyCondition(component, flows, extra);
        const policyScope = condition ? ctx.guard(enabled, `${id}-guard`, condition) : enabled;
        if (!policyScope) continue;
        const rules = flows.map((flow) => {
          const rule = this.rule(ctx, flow, direction);
          // A flow that exists exactly when its policy does needs no condition of its own.
          return !flow.when || same(flow.when, condition) || same(flow.when, component.when) ? rule : ctx.optional(flow.when, rule);
        });
        manifest<INetworkPolicy>(policyScope, id, {
          apiVersion: 'networking.k8s.io/v1',
          kind: 'NetworkPolicy',
          metadata: metadata(ctx, id, COMPONENT_LABEL),
          spec: {
            podSelector: ownSelector(ctx, component.name),
            policyTypes: [direction === 'ingress' ? 'Ingress' : 'Egress'],
            [direction]: ctx.list(...rules, ...(extra ? [ctx.spread(ctx.at(extra) as never)] : [])),
          },
        });
      }
    }
  }

  private rule(ctx: RenderContext, flow: Flow, direction: Direction) {
    const ports = flow.ports.map((p) => ({ protocol: p.protocol, port: typeof p.port === 'number' ? p.port : (ctx.at(p.port) as unknown as Val<number>) }));
    // No ports = every port (only for a peer that is a fixed kind of pod, e.g. kube-state-metrics).
    const portList = ports.length > 0 ? ports : undefined;
    return direction === 'ingress' ? { from: [peer(ctx, flow.from)], ports: portList } : { to: [peer(ctx, flow.to)], ports: portList };
  }
}
