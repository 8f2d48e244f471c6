import { Construct } from 'constructs';
import { INamespace } from 'kubernetes-models/v1/Namespace';
import { all, dict, merge, truthy } from '../../config/expr';
import { RenderContext } from '../../render/context';
import { manifest } from '../shared/api-object';
import { namespace, objectAnnotationsOf, objectLabelsOf } from '../shared/naming';

/** Pod Security Admission labels: enforce, audit and warn at "restricted", latest version. */
export const POD_SECURITY_LABELS: Readonly<Record<string, string>> = Object.fromEntries(
  ['enforce', 'audit', 'warn'].flatMap((mode) => [
    [`pod-security.kubernetes.io/${mode}`, 'restricted'],
    [`pod-security.kubernetes.io/${mode}-version`, 'latest'],
  ]),
);

/**
 * The namespace, labelled so the API server itself refuses any pod that is not
 * Pod Security "restricted". Only when namespace.create and a namespace.name are set:
 * the release namespace ("" = .Release.Namespace) belongs to whoever created it, and
 * Helm cannot adopt a namespace that `--create-namespace` (or anyone) made first.
 */
export class Namespace extends Construct {
  constructor(scope: Construct, id: string, ctx: RenderContext) {
    super(scope, id);
    const guard = ctx.guard(this, 'create', all(truthy('namespace.create'), truthy('namespace.name')));
    if (!guard) return;
    // The standard labels plus the Pod Security ones, which configured labels cannot override.
    const objectLabels = ctx.value(merge(dict(Object.entries(POD_SECURITY_LABELS)), objectLabelsOf('namespace')));
    manifest<INamespace>(guard, 'namespace', {
      apiVersion: 'v1',
      kind: 'Namespace',
      metadata: { name: namespace(ctx), labels: objectLabels, annotations: objectAnnotationsOf(ctx) },
    });
  }
}
