import { z } from 'zod';
import { section } from '../types';

const certDuration = z.string().regex(/^([0-9]+(h|m|s))+$/, 'a Go duration in hours, minutes or seconds such as 2160h');

/** TLS for every Redis, Sentinel and client connection, with certificates from cert-manager. */
export const tls = section({
  enabled: z.boolean().default(false).describe('TLS-only Redis and Sentinel (port 0, tls-port), TLS replication, TLS between sentinels; probes, exporter and jobs use TLS; clients get rediss:// and the CA'),
  issuerRef: section({
    name: z.string().regex(/^$|^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/, 'an Issuer name').default('').describe('Existing cert-manager Issuer/ClusterIssuer that signs the certificates ("" = the chart bootstraps its own CA when tls.bootstrapCA). It must put ca.crt into the certificate Secrets (CA and Vault issuers do)'),
    kind: z.enum(['Issuer', 'ClusterIssuer']).default('Issuer').describe('Kind of tls.issuerRef'),
    group: z.string().default('cert-manager.io').describe('API group of tls.issuerRef'),
  }),
  bootstrapCA: z.boolean().default(true).describe('Without tls.issuerRef.name: create a self-signed Issuer, a CA Certificate and a CA Issuer that signs the Redis and Sentinel certificates'),
  duration: certDuration.default('2160h').describe('Lifetime of the Redis and Sentinel certificates'),
  renewBefore: certDuration.default('360h').describe('cert-manager renews a certificate this long before it expires'),
  caDuration: certDuration.default('87600h').describe('Lifetime of the bootstrapped CA certificate'),
});
