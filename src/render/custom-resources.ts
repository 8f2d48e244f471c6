/**
 * The kinds the chart renders from operators' CRDs. A cluster without the operator refuses them, so the
 * chart renders each only where its API is served (see renderCustomResources); dist/ always has them.
 */
export interface CustomResourceApi {
  readonly apiVersion: string;
  readonly kind: string;
  /** The operator that serves it, for messages. */
  readonly operator: string;
}

export const CUSTOM_RESOURCE_APIS: readonly CustomResourceApi[] = [
  { apiVersion: 'cert-manager.io/v1', kind: 'Certificate', operator: 'cert-manager' },
  { apiVersion: 'cert-manager.io/v1', kind: 'Issuer', operator: 'cert-manager' },
  { apiVersion: 'monitoring.coreos.com/v1', kind: 'PodMonitor', operator: 'Prometheus Operator' },
  { apiVersion: 'monitoring.coreos.com/v1', kind: 'ServiceMonitor', operator: 'Prometheus Operator' },
  { apiVersion: 'monitoring.coreos.com/v1', kind: 'PrometheusRule', operator: 'Prometheus Operator' },
  { apiVersion: 'external-secrets.io/v1', kind: 'ExternalSecret', operator: 'External Secrets Operator' },
];

/** `<group>/<version>/<Kind>`, as `helm --api-versions` and `.Capabilities.APIVersions.Has` take it. */
export const apiVersionKind = (api: { apiVersion: string; kind: string }) => `${api.apiVersion}/${api.kind}`;

export function customResourceApi(object: { apiVersion?: unknown; kind?: unknown }): CustomResourceApi | undefined {
  return CUSTOM_RESOURCE_APIS.find((a) => a.apiVersion === object.apiVersion && a.kind === object.kind);
}
