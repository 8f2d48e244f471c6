import { Construct } from 'constructs';
import { truthy } from '../../config/expr';
import { infinispanOn } from '../../config/predicates';
import { RenderContext, Val } from '../../render/context';
import { ACL_USERS, authSecretName } from '../redis/contract';
import { manifest } from '../shared/api-object';
import { ObjectMeta, metadata } from '../shared/naming';
import { passwordKey } from './keys';

/** External Secrets Operator ExternalSecret, external-secrets.io/v1 (the fields used here). */
export interface IExternalSecret {
  readonly apiVersion: 'external-secrets.io/v1';
  readonly kind: 'ExternalSecret';
  readonly metadata: ObjectMeta;
  readonly spec: {
    readonly refreshInterval: string;
    readonly secretStoreRef: { readonly name: string; readonly kind: 'SecretStore' | 'ClusterSecretStore' };
    readonly target: { readonly name: string; readonly creationPolicy: 'Owner' | 'Orphan' | 'Merge' | 'None' };
    readonly data: readonly { readonly secretKey: string; readonly remoteRef: { readonly key: string; readonly property?: string } }[];
  };
}

/** The auth Secret <fullname>-auth, filled by the operator from the configured store. */
export class ExternalSecret extends Construct {
  constructor(scope: Construct, id: string, ctx: RenderContext) {
    super(scope, id);
    const v = ctx.values.auth.externalSecret;
    // One remote secret with a property per key, or one remote secret per key.
    const remoteEntry = (secretKey: string | Val<string>) => ({
      secretKey,
      remoteRef: ctx.choose(truthy('auth.externalSecret.remoteKey'), { key: v.remoteKey, property: secretKey }, { key: `${v.remoteKeyPrefix}${secretKey}` }),
    });
    manifest<IExternalSecret>(this, 'external-secret', {
      apiVersion: 'external-secrets.io/v1',
      kind: 'ExternalSecret',
      metadata: metadata(ctx, 'auth', 'auth'),
      spec: {
        refreshInterval: v.refreshInterval,
        secretStoreRef: { name: v.secretStoreRef.name, kind: v.secretStoreRef.kind },
        // The operator owns the Secret: deleting the ExternalSecret deletes it.
        target: { name: authSecretName(ctx), creationPolicy: 'Owner' },
        data: ctx.list(
          ...ACL_USERS.map((user) => remoteEntry(passwordKey(ctx, user))),
          // The Infinispan identity, when that component is on.
          ctx.optional(infinispanOn, remoteEntry(ctx.values.infinispan.auth.usernameKey)),
          ctx.optional(infinispanOn, remoteEntry(ctx.values.infinispan.auth.passwordKey)),
        ),
      },
    });
  }
}
