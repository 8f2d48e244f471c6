import { ConfigPath, Operand, arg, at, choose, concat, field, filled, include, lit, orElse, uniqueConcat } from '../../config/expr';
import { RenderContext, Section, Val } from '../../render/context';

interface ImageValues {
  readonly registry: string;
  readonly repository: string;
  readonly tag: string;
  readonly digest: string;
  readonly pullPolicy: 'Always' | 'IfNotPresent' | 'Never';
  readonly pullSecrets: string[];
}

const image = arg<Record<string, string>>(0);
const registry = orElse(at('global.imageRegistry'), field<string>(image, 'registry'));
const digest = field<string>(image, 'digest');

/** `[registry/]repository[:tag][@digest]`: global.imageRegistry replaces the image's registry; a digest wins over the tag. */
const IMAGE = include(
  'image',
  concat(
    choose(filled(registry), concat(registry, '/'), ''),
    field<string>(image, 'repository'),
    choose(filled(digest), concat('@', digest), concat(':', field<string>(image, 'tag'))),
  ),
  lit({}),
);

/** An image block of the values (e.g. `redis.image`). */
export type ImagePath = ConfigPath & `${string}image`;

/** The `image` and `imagePullPolicy` of a container from an image block of the values. */
export function containerImage(ctx: RenderContext, path: ImagePath): { image: Val<string>; imagePullPolicy: Val<ImageValues['pullPolicy']> } {
  const values = ctx.at(path) as unknown as Section<ImageValues>;
  return { image: ctx.value({ ...IMAGE, args: [at(path)] } as Operand<string>), imagePullPolicy: values.pullPolicy };
}

/** The pull secrets of a pod: global.imagePullSecrets and those of each of its images, each once. */
export function pullSecretNames(images: readonly ImagePath[]): Operand<string[]> {
  return uniqueConcat(at('global.imagePullSecrets'), ...images.map((p) => at(`${p}.pullSecrets` as ConfigPath) as Operand<string[]>));
}
