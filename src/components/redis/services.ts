import { Construct } from 'constructs';
import { IService } from 'kubernetes-models/v1/Service';
import { IServicePort } from 'kubernetes-models/v1/ServicePort';
import { RenderContext } from '../../render/context';
import { manifest } from '../shared/api-object';
import { metadata, selectorLabels } from '../shared/naming';
import { clientService } from '../shared/service';

export interface ServicePairProps {
  /** Component whose pods the Services select (redis, sentinel). */
  readonly component: string;
  readonly port: number;
  readonly portName: string;
  /** The values of the client Service. */
  readonly servicePath: 'redis.service' | 'redis.sentinel.service';
}

/**
 * A headless Service that gives every pod a stable DNS name (published before the
 * pod is ready, so peers can find a starting node) and a Service for clients (shared/service.ts).
 */
export class ServicePair extends Construct {
  constructor(scope: Construct, id: string, ctx: RenderContext, props: ServicePairProps) {
    super(scope, id);
    const ports: IServicePort[] = [{ name: props.portName, port: props.port, targetPort: props.portName, protocol: 'TCP' }];
    const selector = selectorLabels(ctx, props.component);
    manifest<IService>(this, 'headless', {
      apiVersion: 'v1',
      kind: 'Service',
      metadata: metadata(ctx, `${props.component}-headless`, props.component),
      spec: { clusterIP: 'None', publishNotReadyAddresses: true, ports, selector },
    });
    clientService(this, 'client', ctx, {
      path: props.servicePath,
      suffix: props.component,
      component: props.component,
      ports: [{ name: props.portName, port: props.port, targetPort: props.portName }],
    });
  }
}
