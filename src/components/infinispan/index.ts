import { Construct } from 'constructs';
import { IServiceAccount } from 'kubernetes-models/v1/ServiceAccount';
import { truthy } from '../../config/expr';
import { RenderContext } from '../../render/context';
import { disruptionBudget } from '../redis/disruption-budget';
import { manifest } from '../shared/api-object';
import { metadata } from '../shared/naming';
import { infinispanCertificate } from './certificate';
import { infinispanConfigMap } from './config-map';
import { tlsPredicate } from './contract';
import { infinispanMonitoring } from './monitoring';
import { infinispanServices } from './services';
import { infinispanStatefulSet } from './statefulset';

/** The optional Infinispan session cache cluster (infinispan.enabled). */
export class Infinispan extends Construct {
  constructor(scope: Construct, id: string, ctx: RenderContext) {
    super(scope, id);
    const on = ctx.guard(this, 'enabled', truthy('infinispan.enabled'));
    if (!on) return;
    manifest<IServiceAccount>(on, 'service-account', {
      apiVersion: 'v1',
      kind: 'ServiceAccount',
      metadata: metadata(ctx, 'infinispan', 'infinispan'),
      automountServiceAccountToken: false,
    });
    infinispanConfigMap(on, ctx);
    infinispanServices(on, ctx);
    infinispanStatefulSet(on, ctx);
    const pdb = ctx.guard(on, 'pdb', truthy('infinispan.podDisruptionBudget.enabled'));
    if (pdb) disruptionBudget(pdb, ctx, 'infinispan', ctx.values.infinispan.podDisruptionBudget.maxUnavailable);
    infinispanMonitoring(on, ctx);
    const tls = tlsPredicate();
    const certificate = tls && ctx.guard(on, 'tls', tls);
    if (certificate) infinispanCertificate(certificate, ctx);
  }
}
