import { ApiObject, JsonPatch } from 'cdk8s';
import { Construct } from 'constructs';
import { Valued } from '../../render/context';

export interface KubernetesObject {
  readonly apiVersion: string;
  readonly kind: string;
  readonly metadata?: object;
}

/**
 * A Kubernetes object from its plain manifest, typed by the caller with a kubernetes-models
 * interface; any field may hold a configuration value of its type (`Valued`).
 */
export function manifest<T extends KubernetesObject>(scope: Construct, id: string, object: Valued<T>): ApiObject {
  // cdk8s copies metadata.labels/annotations key by key; a chart-mode label map is one
  // token (a string), so it goes in through a patch instead.
  const { labels, annotations, ...meta } = ((object as KubernetesObject).metadata ?? {}) as Record<string, unknown>;
  const api = new ApiObject(scope, id, { ...(object as object), metadata: meta } as any);
  if (labels !== undefined) api.addJsonPatch(JsonPatch.add('/metadata/labels', labels));
  if (annotations !== undefined) api.addJsonPatch(JsonPatch.add('/metadata/annotations', annotations));
  return api;
}
