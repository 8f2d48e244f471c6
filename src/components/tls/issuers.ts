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
        // Never: a renewal of the CA (cert-manager's own at 2/3 of caDuration, or `cmctl renew --all`) keeps its
        // key and name, so server certificates issued after it still verify against the CA the clients hold.
        // With Always, every such renewal made a new CA that the clients' copy did not trust (found by the real
        // controller, test/cluster/cert-manager.test.ts). Replacing the CA key is the README's deliberate procedure.
        privateKey: { algorithm: 'ECDSA', size: 256, rotationPolicy: 'Never' },
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
