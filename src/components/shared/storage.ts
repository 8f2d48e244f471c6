import { IPersistentVolumeClaimSpec } from 'kubernetes-models/v1/PersistentVolumeClaimSpec';
import { PathTo, child, truthy } from '../../config/expr';
import { RenderContext, Section, Valued } from '../../render/context';

interface StorageValues {
  readonly size: string;
  readonly storageClass: string;
}

/** The spec of a volume claim from a block of the values with `size` and `storageClass`. */
export function claimSpec(ctx: RenderContext, path: PathTo<StorageValues>): Valued<IPersistentVolumeClaimSpec> {
  const storage = ctx.at(path) as Section<StorageValues>;
  return {
    accessModes: ['ReadWriteOnce'],
    storageClassName: ctx.optional(truthy(child(path, 'storageClass')), storage.storageClass),
    resources: { requests: { storage: storage.size } },
  };
}
