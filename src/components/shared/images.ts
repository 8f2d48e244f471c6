import { RenderContext, Section, Val } from '../../render/context';

interface ImageValues {
  readonly repository: string;
  readonly tag: string;
  readonly pullPolicy: 'Always' | 'IfNotPresent' | 'Never';
}

/** The `image` and `imagePullPolicy` of a container from an image block of the values. */
export function containerImage(_ctx: RenderContext, image: Section<ImageValues>): { image: string; imagePullPolicy: Val<ImageValues['pullPolicy']> } {
  return { image: `${image.repository}:${image.tag}`, imagePullPolicy: image.pullPolicy };
}
