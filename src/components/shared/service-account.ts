import { Construct } from 'constructs';
import { RenderContext } from '../../render/context';
import { manifest } from './api-object';
import { metadata } from './naming';

/** A dedicated ServiceAccount `<fullname>-<component>` that mounts no API token: no workload here talks to the API. */
export function serviceAccount(scope: Construct, ctx: RenderContext, component: string) {
  return manifest(scope, `${component}-sa`, {
    apiVersion: 'v1',
    kind: 'ServiceAccount',
    metadata: metadata(ctx, component, component),
    automountServiceAccountToken: false,
  });
}
