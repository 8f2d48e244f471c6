import { Construct } from 'constructs';
import { IService } from 'kubernetes-models/v1/Service';
import { RenderContext } from '../../render/context';
import { manifest } from '../shared/api-object';
import { metadata, selectorLabels } from '../shared/naming';
import { clientService } from '../shared/service';
import { PORTS, PORT_NAMES } from './contract';

/**
 * The Service clients use (Hot Rod and REST on one port) and the headless
 * ping Service JGroups DNS_PING queries. The ping Service publishes pods before they
 * are ready (a starting server must find the others) and carries its own component
 * label, so a ServiceMonitor for the client Service does not scrape every pod twice.
 */
export function infinispanServices(scope: Construct, ctx: RenderContext) {
  const selector = selectorLabels(ctx, 'infinispan');
  clientService(scope, 'service', ctx, {
    path: 'infinispan.service',
    suffix: 'infinispan',
    component: 'infinispan',
    ports: [{ name: PORT_NAMES.client, port: PORTS.client, targetPort: PORT_NAMES.client }],
  });
  manifest<IService>(scope, 'ping', {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: metadata(ctx, 'infinispan-ping', 'infinispan-ping'),
    spec: {
      clusterIP: 'None',
      publishNotReadyAddresses: true,
      ports: [
        { name: PORT_NAMES.jgroups, port: PORTS.jgroups, targetPort: PORT_NAMES.jgroups, protocol: 'TCP' },
        { name: PORT_NAMES.failureDetection, port: PORTS.failureDetection, targetPort: PORT_NAMES.failureDetection, protocol: 'TCP' },
      ],
      selector,
    },
  });
}
