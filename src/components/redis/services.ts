import { Construct } from 'constructs';
import { IService } from 'kubernetes-models/v1/Service';
import { IServicePort } from 'kubernetes-models/v1/ServicePort';
import { RenderContext } from '../../render/context';
import { manifest } from '../shared/api-object';
import { metadata, selectorLabels } from '../shared/naming';

export interface ServicePairProps {
  /** Component whose pods the Services select (redis, sentinel). */
  readonly component: string;
  readonly port: number;
  readonly portName: string;
}

/**
 * A headless Service that gives every pod a stable DNS name (published before the
 * pod is ready, so peers can find a starting node) and a ClusterIP Service for clients.
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
    manifest<IService>(this, 'client', {
      apiVersion: 'v1',
      kind: 'Service',
      metadata: metadata(ctx, props.component, props.component),
      spec: { type: 'ClusterIP', ports, selector },
    });
  }
}
