import { Construct } from 'constructs';
import { truthy } from '../../config/expr';
import { RenderContext } from '../../render/context';
import { manifest } from '../shared/api-object';
import { metadata, namespace, resourceName } from '../shared/naming';
import { names } from '../redis/contract';
import { clientCaSecretName, tlsSecretName } from './names';

/** The issuer that signs the server certificates: the named one, else the bootstrapped CA Issuer. */
function issuerRef(ctx: RenderContext) {
  const v = ctx.values.tls.issuerRef;
  const named = truthy('tls.issuerRef.name');
  return ctx.choose(named, { name: v.name, kind: v.kind, group: v.group }, { name: metadata(ctx, 'ca-issuer', 'tls').name, kind: 'Issuer', group: 'cert-manager.io' });
}

/** Names a client or peer may use for a role's pods: each pod, the Services, short forms and localhost. */
function dnsNames(ctx: RenderContext, service: string, headless: string): string[] {
  const ns = namespace(ctx);
  const domain = ctx.values.clusterDomain;
  return [
    `*.${headless}.${ns}.svc.${domain}`,
    `*.${headless}.${ns}.svc`,
    `${headless}.${ns}.svc.${domain}`,
    `${service}.${ns}.svc.${domain}`,
    `${service}.${ns}.svc`,
    `${service}.${ns}`,
    service,
    'localhost',
  ];
}

/** Server (and client, for replication and sentinel links) certificate of one role. */
export class ServerCertificate extends Construct {
  constructor(scope: Construct, id: string, ctx: RenderContext, role: 'redis' | 'sentinel') {
    super(scope, id);
    const n = names(ctx);
    const service = role === 'redis' ? n.redis : n.sentinel;
    const headless = role === 'redis' ? n.redisHeadless : n.sentinelHeadless;
    manifest(this, 'certificate', {
      apiVersion: 'cert-manager.io/v1',
      kind: 'Certificate',
      metadata: metadata(ctx, `${role}-tls`, role),
      spec: {
        secretName: tlsSecretName(ctx, role),
        commonName: service,
        dnsNames: dnsNames(ctx, service, headless),
        ipAddresses: ['127.0.0.1'],
        duration: ctx.values.tls.duration,
        renewBefore: ctx.values.tls.renewBefore,
        privateKey: { algorithm: 'ECDSA', size: 256, rotationPolicy: 'Always' },
        usages: ['server auth', 'client auth', 'digital signature', 'key encipherment'],
        issuerRef: issuerRef(ctx),
      },
    });
  }
}

/**
 * A client certificate whose Secret hands apps the CA (ca.crt) without exposing a server
 * key; the servers ask for no client certificate, so its own key grants nothing.
 */
export class ClientCaCertificate extends Construct {
  constructor(scope: Construct, id: string, ctx: RenderContext) {
    super(scope, id);
    const meta = metadata(ctx, 'client-tls', 'client');
    manifest(this, 'certificate', {
      apiVersion: 'cert-manager.io/v1',
      kind: 'Certificate',
      metadata: meta,
      spec: {
        secretName: clientCaSecretName(ctx),
        commonName: resourceName(ctx, 'client'),
        duration: ctx.values.tls.duration,
        renewBefore: ctx.values.tls.renewBefore,
        privateKey: { algorithm: 'ECDSA', size: 256, rotationPolicy: 'Always' },
        usages: ['client auth', 'digital signature'],
        issuerRef: issuerRef(ctx),
      },
    });
  }
}
