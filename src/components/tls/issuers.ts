import { Construct } from 'constructs';
import { RenderContext } from '../../render/context';
import { manifest } from '../shared/api-object';
import { metadata } from '../shared/naming';
import { caSecretName } from './names';

/** self-signed Issuer → CA Certificate → CA Issuer: the chart's own CA when no issuer is named. */
export class BootstrapCa extends Construct {
  constructor(scope: Construct, id: string, ctx: RenderContext) {
    super(scope, id);
    const selfSigned = metadata(ctx, 'selfsigned', 'tls');
    manifest(this, 'selfsigned', { apiVersion: 'cert-manager.io/v1', kind: 'Issuer', metadata: selfSigned, spec: { selfSigned: {} } });
    manifest(this, 'ca-certificate', {
      apiVersion: 'cert-manager.io/v1',
      kind: 'Certificate',
      metadata: metadata(ctx, 'ca', 'tls'),
      spec: {
        isCA: true,
        commonName: `${metadata(ctx, 'ca', 'tls').name}`,
        secretName: caSecretName(ctx),
        duration: ctx.values.tls.caDuration,
        privateKey: { algorithm: 'ECDSA', size: 256, rotationPolicy: 'Always' },
        issuerRef: { name: selfSigned.name, kind: 'Issuer', group: 'cert-manager.io' },
      },
    });
    manifest(this, 'ca-issuer', {
      apiVersion: 'cert-manager.io/v1',
      kind: 'Issuer',
      metadata: metadata(ctx, 'ca-issuer', 'tls'),
      spec: { ca: { secretName: caSecretName(ctx) } },
    });
  }
}
