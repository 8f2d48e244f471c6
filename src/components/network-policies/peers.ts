import { any, not, truthy } from '../../config/expr';
import { RenderContext, Valued } from '../../render/context';
import { releasePodLabels, selectorLabels } from '../shared/naming';
import { ALL_PODS, Endpoint, ExternalPeer } from './flows';

/** Client pods when networkPolicy.clients selects nothing else: this label, in the release namespace. */
export const DEFAULT_CLIENT_LABELS: Readonly<Record<string, string>> = { 'session-database/client': 'true' };

/** RFC 1918 and link-local ranges: cluster-internal, never an outside receiver. */
export const PRIVATE_RANGES = ['10.0.0.0/8', '172.16.0.0/12', '192.168.0.0/16', '169.254.0.0/16'] as const;

type LabelMap = Valued<Record<string, string>>;

/** Pod selector of one of the chart's own components. */
export function ownSelector(ctx: RenderContext, component: string) {
  return { matchLabels: component === ALL_PODS ? releasePodLabels(ctx) : selectorLabels(ctx, component) };
}

/** The NetworkPolicyPeer of pods outside the release, from networkPolicy.* in the values. */
function externalPeer(ctx: RenderContext, peer: ExternalPeer) {
  const v = ctx.values.networkPolicy;
  switch (peer) {
    case 'clients': {
      // podSelector alone = those pods of the release namespace; namespaceSelector alone = every
      // pod of those namespaces; both = those pods in those namespaces; neither = DEFAULT_CLIENT_LABELS
      // in the release namespace. (Helm merges a non-empty default map into the user's, so the
      // default lives here and the values default is {}.)
      const pods = truthy('networkPolicy.clients.podSelector');
      const namespaces = truthy('networkPolicy.clients.namespaceSelector');
      return {
        podSelector: ctx.optional(any(pods, not(namespaces)), {
          matchLabels: ctx.choose<LabelMap>(pods, v.clients.podSelector, { ...DEFAULT_CLIENT_LABELS }),
        }),
        namespaceSelector: ctx.optional(namespaces, { matchLabels: v.clients.namespaceSelector }),
      };
    }
    case 'monitoring':
      return {
        namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': v.monitoring.namespace } },
        podSelector: { matchLabels: v.monitoring.podSelector },
      };
    case 'ingressController':
      return {
        namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': v.ingressController.namespace } },
        podSelector: { matchLabels: v.ingressController.podSelector },
      };
    case 'kubeStateMetrics':
      // Wherever it runs (monitoring.standalone.prometheus.kubeStateMetricsTarget is host:port).
      return { namespaceSelector: {}, podSelector: { matchLabels: { 'app.kubernetes.io/name': 'kube-state-metrics' } } };
    case 'https':
      // Receivers of a custom Alertmanager config live outside the cluster; not the pod network.
      return { ipBlock: { cidr: '0.0.0.0/0', except: [...PRIVATE_RANGES] } };
    case 's3':
      // The object store: the configured range, else any public address (AWS S3 and its STS for IRSA).
      return ctx.choose<object>(
        truthy('maintenance.backup.s3.egress.cidr'),
        { ipBlock: { cidr: ctx.values.maintenance.backup.s3.egress.cidr } },
        { ipBlock: { cidr: '0.0.0.0/0', except: [...PRIVATE_RANGES] } },
      );
    case 'dns':
      return {
        namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': v.dns.namespace } },
        podSelector: {
          matchLabels: ctx.choose<LabelMap>(truthy('networkPolicy.dns.podSelector'), v.dns.podSelector, { 'k8s-app': 'kube-dns' }),
        },
      };
  }
}

export function peer(ctx: RenderContext, endpoint: Endpoint) {
  return 'own' in endpoint ? { podSelector: ownSelector(ctx, endpoint.own) } : externalPeer(ctx, endpoint.external);
}
