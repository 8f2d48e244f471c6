import { Construct } from 'constructs';
import { RenderContext } from '../../render/context';
import { manifest } from '../shared/api-object';
import { metadata, serviceHost } from '../shared/naming';
import { issuerRef } from '../tls/issuer';
import { serviceDnsNames } from '../tls/certificates';
import { infinispanNames } from './contract';

/**
 * The servers' certificate when tls.enabled, from the same issuer as Redis (the named
 * tls.issuerRef, else the bootstrapped CA Issuer <fullname>-ca-issuer of the tls
 * component). PKCS#8 key: start.sh joins tls.key and tls.crt into the PEM keystore
 * the server config names.
 */
export function infinispanCertificate(scope: Construct, ctx: RenderContext) {
  const n = infinispanNames(ctx);
  manifest(scope, 'certificate', {
    apiVersion: 'cert-manager.io/v1',
    kind: 'Certificate',
    metadata: metadata(ctx, 'infinispan-tls', 'infinispan'),
    spec: {
      secretName: n.tlsSecret,
      commonName: n.server,
      dnsNames: [`*.${serviceHost(ctx, n.ping)}`, ...serviceDnsNames(ctx, n.server), 'localhost'],
      duration: ctx.values.tls.duration,
      renewBefore: ctx.values.tls.renewBefore,
      privateKey: { algorithm: 'ECDSA', size: 256, encoding: 'PKCS8', rotationPolicy: 'Always' },
      usages: ['server auth', 'digital signature', 'key encipherment'],
      issuerRef: issuerRef(ctx),
    },
  });
}
