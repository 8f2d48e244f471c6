import { Construct } from 'constructs';
import { RenderContext } from '../../render/context';
import { operatorMonitoring, standaloneMonitoring } from '../../config/predicates';
import { OperatorMonitoring } from './operator';
import { StandaloneMonitoring } from './standalone';

export { exporterContainer } from './exporter';

/**
 * monitoring.mode: operator → PodMonitors, PrometheusRule, dashboard ConfigMaps;
 * standalone → own Prometheus, Alertmanager, Grafana; off → nothing (and no exporter
 * sidecars, see the Redis StatefulSets).
 */
export class Monitoring extends Construct {
  constructor(scope: Construct, id: string, ctx: RenderContext) {
    super(scope, id);
    const operator = ctx.guard(this, 'operator', operatorMonitoring);
    if (operator) new OperatorMonitoring(operator, 'operator', ctx);
    const standalone = ctx.guard(this, 'standalone', standaloneMonitoring);
    if (standalone) new StandaloneMonitoring(standalone, 'standalone', ctx);
  }
}
