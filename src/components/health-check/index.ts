import { Construct } from 'constructs';
import { IConfigMap } from 'kubernetes-models/v1/ConfigMap';
import { IServiceAccount } from 'kubernetes-models/v1/ServiceAccount';
import { readAsset } from '../../render/assets';
import { RenderContext } from '../../render/context';
import { manifest } from '../shared/api-object';
import { metadata } from '../shared/naming';
import { COMPONENT, SCRIPT, healthCheckNames, healthCheckOn, scriptFill } from './contract';

export { HealthCheckTest } from './test-pod';

const FILES = 'src/components/health-check/files';

/**
 * The health check an operator runs from a client pod (docs/runbook.md "Health check"): health-check.sh
 * in a ConfigMap, and the ServiceAccount of the `helm test` Pod (./test-pod.ts) that runs the same file.
 */
export class HealthCheck extends Construct {
  constructor(scope: Construct, id: string, ctx: RenderContext) {
    super(scope, id);
    const on = ctx.guard(this, 'enabled', healthCheckOn);
    if (!on) return;
    const n = healthCheckNames(ctx);
    manifest<IConfigMap>(on, 'script', {
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: metadata(ctx, COMPONENT, COMPONENT),
      data: { [SCRIPT]: ctx.fill(readAsset(`${FILES}/${SCRIPT}`), scriptFill(ctx)) },
    });
    // The check talks to no Kubernetes API: no token.
    manifest<IServiceAccount>(on, 'service-account', {
      apiVersion: 'v1',
      kind: 'ServiceAccount',
      metadata: { ...metadata(ctx, COMPONENT, COMPONENT), name: n.serviceAccount },
      automountServiceAccountToken: false,
    });
  }
}
