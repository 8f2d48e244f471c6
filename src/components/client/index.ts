import { Construct } from 'constructs';
import { IConfigMap } from 'kubernetes-models/v1/ConfigMap';
import { RenderContext, Val } from '../../render/context';
import { manifest } from '../shared/api-object';
import { metadata } from '../shared/naming';
import { CLIENT_CONFIG_MAP_SUFFIX, clientEnvironment } from './contract';

/** The client connection contract: one ConfigMap apps mount with envFrom (always rendered). */
export class ClientContract extends Construct {
  constructor(scope: Construct, id: string, ctx: RenderContext) {
    super(scope, id);
    manifest<IConfigMap>(this, 'config-map', {
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: metadata(ctx, CLIENT_CONFIG_MAP_SUFFIX, 'client'),
      data: clientEnvironment(ctx) as Record<string, string | Val<string>>,
    });
  }
}
