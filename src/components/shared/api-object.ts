import { ApiObject, JsonPatch } from 'cdk8s';
import { Construct } from 'constructs';

export interface KubernetesObject {
  readonly apiVersion: string;
  readonly kind: string;
  readonly metadata?: object;
}

/** A Kubernetes object from its plain manifest (typed by the caller with kubernetes-models interfaces). */
export function manifest<T extends KubernetesObject>(scope: Construct, id: string, object: T): ApiObject {
  // cdk8s copies metadata.labels/annotations key by key; a chart-mode label map is one
  // token (a string), so it goes in through a patch instead.
  const { labels, annotations, ...meta } = (object.metadata ?? {}) as Record<string, unknown>;
  const api = new ApiObject(scope, id, { ...object, metadata: meta } as any);
  if (labels !== undefined) api.addJsonPatch(JsonPatch.add('/metadata/labels', labels));
  if (annotations !== undefined) api.addJsonPatch(JsonPatch.add('/metadata/annotations', annotations));
  return api;
}
