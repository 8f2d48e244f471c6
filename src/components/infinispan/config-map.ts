import { Construct } from 'constructs';
import { IConfigMap } from 'kubernetes-models/v1/ConfigMap';
import { readAsset } from '../../render/assets';
import { tlsOn } from '../../config/predicates';
import { RenderContext } from '../../render/context';
import { manifest } from '../shared/api-object';
import { metadata } from '../shared/naming';
import { ADMIN_BATCH_FILE, ADMIN_ROLE, APPLICATION_ROLE, BATCH_FILE, CONFIG_FILE, PATHS, PORTS, START_SCRIPT, infinispanNames } from './contract';

export const FILES_DIR = 'src/components/infinispan/files';

/** The realm's TLS identity: the PEM keystore start.sh joins from the cert-manager Secret. */
const SERVER_IDENTITIES = [
  '          serverIdentities:',
  '            ssl:',
  '              keystore:',
  `                path: "${PATHS.identities}/server.pem"`,
  '                password: ""',
].join('\n');

const HOTROD_MECHANISMS = ['SCRAM-SHA-512', 'SCRAM-SHA-256'];
const HOTROD_MECHANISMS_TLS = [...HOTROD_MECHANISMS, 'PLAIN'];
const REST_MECHANISMS = ['DIGEST'];
const REST_MECHANISMS_TLS = [...REST_MECHANISMS, 'BASIC'];

/** A YAML block sequence at `indent` spaces (the server config's lists must be block sequences). */
const blockSequence = (indent: number, items: readonly string[]) =>
  items.map((item) => `${' '.repeat(indent)}- ${item}`).join('\n');

/** Fill values that are not plain config paths. */
export function serverConfigExtras(ctx: RenderContext): Record<string, string> {
  return {
    clusterName: infinispanNames(ctx).server,
    clientPort: String(PORTS.client),
    identitiesDir: PATHS.identities,
    applicationRole: APPLICATION_ROLE,
    adminRole: ADMIN_ROLE,
    serverIdentities: ctx.optional(tlsOn, SERVER_IDENTITIES) ?? '',
    // PLAIN and BASIC send the password itself: only over TLS.
    hotrodMechanisms: ctx.choose(tlsOn, blockSequence(20, HOTROD_MECHANISMS_TLS), blockSequence(20, HOTROD_MECHANISMS)),
    restMechanisms: ctx.choose(tlsOn, blockSequence(18, REST_MECHANISMS_TLS), blockSequence(18, REST_MECHANISMS)),
  };
}

/** Server config, identities batch and start script, from the repo files under files/. */
export function infinispanConfigMap(scope: Construct, ctx: RenderContext) {
  const extra = serverConfigExtras(ctx);
  manifest<IConfigMap>(scope, 'config', {
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: metadata(ctx, 'infinispan-config', 'infinispan'),
    data: {
      [CONFIG_FILE]: ctx.fill(readAsset(`${FILES_DIR}/${CONFIG_FILE}`), extra),
      [BATCH_FILE]: ctx.fill(readAsset(`${FILES_DIR}/${BATCH_FILE}`), extra),
      [ADMIN_BATCH_FILE]: ctx.fill(readAsset(`${FILES_DIR}/${ADMIN_BATCH_FILE}`), extra),
      [START_SCRIPT]: readAsset(`${FILES_DIR}/${START_SCRIPT}`),
    },
  });
}
