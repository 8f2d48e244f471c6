import { Construct } from 'constructs';
import { IService } from 'kubernetes-models/v1/Service';
import { IServicePort } from 'kubernetes-models/v1/ServicePort';
import { ConfigPath, Operand, at, merge, truthy } from '../../config/expr';
import { SERVICES, ServicePath } from '../../config/sections/service';
import { Fields, RenderContext, Section, Val } from '../../render/context';
import { manifest } from './api-object';
import { labelsOf, metadata, selectorLabels } from './naming';

/**
 * A Service clients reach, made the same way for every component: its ports and pod selector from
 * the component, type, annotations, labels, load balancer source ranges, externalTrafficPolicy and
 * node ports from the values (src/config/sections/service.ts serviceSettings). The rules of
 * src/config/rules.ts refuse the combinations Kubernetes would ignore or reject.
 */

interface ServiceValues {
  readonly type: 'ClusterIP' | 'NodePort' | 'LoadBalancer';
  readonly annotations: Record<string, string>;
  readonly labels: Record<string, string>;
  readonly loadBalancerSourceRanges: string[];
  readonly externalTrafficPolicy: 'Cluster' | 'Local';
}

export interface ServicePortSpec {
  /** One of the port names of SERVICES[path] (its node port comes from nodePorts.<name>). */
  readonly name: string;
  readonly port: number;
  readonly targetPort: string;
}

const key = (path: ServicePath, name: string) => `${path}.${name}` as ConfigPath;

/** Labels of the Service: the component's labels, to which the values may add (never override). */
export const serviceLabels = (path: ServicePath, component: string) =>
  merge(labelsOf(component), at(key(path, 'labels')) as Operand<Record<string, string>>);

export function clientService(scope: Construct, id: string, ctx: RenderContext, props: {
  readonly path: ServicePath;
  /** Name suffix (`<fullname>-<suffix>`) and component label. */
  readonly suffix: string;
  readonly component: string;
  readonly ports: readonly ServicePortSpec[];
}) {
  const { path } = props;
  const v = ctx.at(path) as unknown as Section<ServiceValues>;
  const has = (name: string) => truthy(key(path, name));
  const known = SERVICES[path] as readonly string[];
  const ports: Fields<IServicePort>[] = props.ports.map((p) => {
    if (!known.includes(p.name)) throw new Error(`${path}.nodePorts has no key ${p.name}`);
    return {
      name: p.name,
      port: p.port,
      targetPort: p.targetPort,
      protocol: 'TCP',
      nodePort: ctx.optional(has(`nodePorts.${p.name}`), ctx.at(key(path, `nodePorts.${p.name}`)) as unknown as Val<number>),
    };
  });
  const meta = metadata(ctx, props.suffix, props.component);
  return manifest<IService>(scope, id, {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: {
      ...meta,
      labels: ctx.value(serviceLabels(path, props.component)) as Val<Record<string, string>>,
      annotations: ctx.optional(has('annotations'), v.annotations),
    },
    spec: {
      type: v.type,
      externalTrafficPolicy: ctx.optional(has('externalTrafficPolicy'), v.externalTrafficPolicy),
      loadBalancerSourceRanges: ctx.optional(has('loadBalancerSourceRanges'), v.loadBalancerSourceRanges),
      ports,
      selector: selectorLabels(ctx, props.component),
    },
  });
}
