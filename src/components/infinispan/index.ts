import { Construct } from 'constructs';
import { truthy } from '../../config/expr';
import { tlsOn } from '../../config/predicates';
import { RenderContext } from '../../render/context';
import { disruptionBudget } from '../shared/disruption-budget';
import { workloadServiceAccount } from '../shared/workload';
import { infinispanCertificate } from './certificate';
import { infinispanConfigMap } from './config-map';
import { infinispanMonitoring } from './monitoring';
import { infinispanServices } from './services';
import { infinispanStatefulSet } from './statefulset';

/** The optional Infinispan session cache cluster (infinispan.enabled). */
export class Infinispan extends Construct {
  constructor(scope: Construct, id: string, ctx: RenderContext) {
    super(scope, id);
    const on = ctx.guard(this, 'enabled', truthy('infinispan.enabled'));
    if (!on) return;
    workloadServiceAccount(on, ctx, 'infinispan', 'infinispan');
    infinispanConfigMap(on, ctx);
    infinispanServices(on, ctx);
    infinispanStatefulSet(on, ctx);
    const pdb = ctx.guard(on, 'pdb', truthy('infinispan.podDisruptionBudget.enabled'));
    if (pdb) disruptionBudget(pdb, ctx, 'infinispan', ctx.values.infinispan.podDisruptionBudget.maxUnavailable);
    infinispanMonitoring(on, ctx);
    const certificate = ctx.guard(on, 'tls', tlsOn);
    if (certificate) infinispanCertificate(certificate, ctx);
  }
}
