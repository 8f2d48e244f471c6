import { Construct } from 'constructs';
import { RenderContext } from '../../render/context';
import { manifest } from '../shared/api-object';
import { metadata, namespace, resourceName, serviceHost } from '../shared/naming';
import { names } from '../redis/contract';
import { issuerRef } from './issuer';
import { clientCaSecretName, tlsSecretName } from './names';

/**
 * The names a Service answers to: fully qualified, `.svc`, `<name>.<namespace>` and the bare name;
 * with `wildcard`, the names of the pods behind a headless Service instead (`*.<headless>…`).
 */
export function serviceDnsNames(ctx: RenderContext, service: string, { wildcard = false } = {}): string[] {
  if (wildcard) return [`*.${serviceHost(ctx, service)}`, `*.${service}.${namespace(ctx)}.svc`, serviceHost(ctx, service)];
  return [serviceHost(ctx, service), `${service}.${namespace(ctx)}.svc`, `${service}.${namespace(ctx)}`, service];
}

/** Names a client or peer may use for a role's pods: each pod, the Services, short forms and localhost. */
export function dnsNames(ctx: RenderContext, service: string, headless: string): string[] {
  return [...serviceDnsNames(ctx, headless, { wildcard: true }), ...serviceDnsNames(ctx, service), 'localhost'];
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
 * The master endpoint's (HAProxy's) server certificate: the names of the <fullname>-master Service.
 * Its Secret's ca.crt is also what HAProxy verifies the Redis nodes with.
 */
export class MasterEndpointCertificate extends Construct {
  constructor(scope: Construct, id: string, ctx: RenderContext) {
    super(scope, id);
    const service = resourceName(ctx, 'master');
    manifest(this, 'certificate', {
      apiVersion: 'cert-manager.io/v1',
      kind: 'Certificate',
      metadata: metadata(ctx, 'master-tls', 'haproxy'),
      spec: {
        secretName: tlsSecretName(ctx, 'master'),
        commonName: service,
        dnsNames: [...serviceDnsNames(ctx, service), 'localhost'],
        duration: ctx.values.tls.duration,
        renewBefore: ctx.values.tls.renewBefore,
        privateKey: { algorithm: 'ECDSA', size: 256, rotationPolicy: 'Always' },
        usages: ['server auth', 'digital signature', 'key encipherment'],
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
