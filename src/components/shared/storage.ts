import { IPersistentVolumeClaimSpec } from 'kubernetes-models/v1/PersistentVolumeClaimSpec';
import { Operand, PathTo, at, child, eq, filled, lit, merge, truthy } from '../../config/expr';
import { RenderContext, Section, Val, Valued } from '../../render/context';

interface StorageValues {
  readonly size: string;
  readonly storageClass: string;
  readonly accessModes: ('ReadWriteOnce' | 'ReadWriteOncePod' | 'ReadWriteMany' | 'ReadOnlyMany')[];
  readonly annotations: Record<string, string>;
}

/**
 * The spec of a volume claim from a block of the values with `size`, `storageClass` and `accessModes`.
 * storageClass "" leaves the field out (the cluster's default class); "-" writes storageClassName ""
 * (no class: a pre-provisioned volume), as the usual charts read it.
 */
export function claimSpec(ctx: RenderContext, path: PathTo<StorageValues>): Valued<IPersistentVolumeClaimSpec> {
  const storage = ctx.at(path) as Section<StorageValues>;
  const storageClass = child(path, 'storageClass');
  return {
    accessModes: storage.accessModes,
    storageClassName: ctx.optional(truthy(storageClass), ctx.choose<string | Val<string>>(eq(at(storageClass), '-'), '', storage.storageClass)),
    resources: { requests: { storage: storage.size } },
  };
}

/** The claim's own annotations from the values (e.g. a backup tool's), merged over `fixed`. */
export function claimAnnotations(path: PathTo<StorageValues>, fixed: Record<string, string> = {}): Operand<Record<string, string>> {
  const annotations = at(child(path, 'annotations')) as Operand<Record<string, string>>;
  return Object.keys(fixed).length ? merge(lit(fixed), annotations) : annotations;
}

/** The annotations of a claim template (no commonAnnotations: a claim template never changes on a live StatefulSet). */
export function claimTemplateAnnotations(ctx: RenderContext, path: PathTo<StorageValues>): Val<Record<string, string>> | undefined {
  const annotations = claimAnnotations(path);
  return ctx.optional(filled(annotations), ctx.value(annotations));
}
