import { Construct } from 'constructs';
import { truthy } from '../../config/expr';
import { RenderContext } from '../../render/context';
import { manifest } from '../shared/api-object';
import { metadata, namespace } from '../shared/naming';
import { infinispanNames } from './contract';

/**
 * The servers' certificate when tls.enabled, from the same issuer as Redis (the named
 * tls.issuerRef, else the bootstrapped CA Issuer <fullname>-ca-issuer of the tls
 * component). PKCS#8 key: start.sh joins tls.key and tls.crt into the PEM keystore
 * the server config names.
 */
export function infinispanCertificate(scope: Construct, ctx: RenderContext) {
  const n = infinispanNames(ctx);
  const ns = namespace(ctx);
  const domain = ctx.values.clusterDomain;
  const issuer = ctx.values.tls.issuerRef;
  manifest(scope, 'certificate', {
    apiVersion: 'cert-manager.io/v1',
    kind: 'Certificate',
    metadata: metadata(ctx, 'infinispan-tls', 'infinispan'),
    spec: {
      secretName: n.tlsSecret,
      commonName: n.server,
      dnsNames: [
        `*.${n.ping}.${ns}.svc.${domain}`,
        `${n.server}.${ns}.svc.${domain}`,
        `${n.server}.${ns}.svc`,
        `${n.server}.${ns}`,
        n.server,
        'localhost',
      ],
      duration: ctx.values.tls.duration,
      renewBefore: ctx.values.tls.renewBefore,
      privateKey: { algorithm: 'ECDSA', size: 256, encoding: 'PKCS8', rotationPolicy: 'Always' },
      usages: ['server auth', 'digital signature', 'key encipherment'],
      issuerRef: ctx.choose(
        truthy('tls.issuerRef.name'),
        { name: issuer.name, kind: issuer.kind, group: issuer.group },
        { name: metadata(ctx, 'ca-issuer', 'tls').name, kind: 'Issuer', group: 'cert-manager.io' },
      ),
    },
  });
}
