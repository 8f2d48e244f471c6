import { IVolume } from 'kubernetes-models/v1/Volume';
import { at, child, filled, not, truthy } from '../../config/expr';
import { tlsOn } from '../../config/predicates';
import { RenderContext, Val, Valued } from '../../render/context';
import { claimSpec, claimTemplateAnnotations } from '../shared/storage';
import { passwordFile, passwordKey } from '../secrets/keys';
import { ACL_USERS, PATHS } from './contract';

/** The `data` volume: a claim per pod when persistence is on, an emptyDir otherwise. */
export function dataStorage(ctx: RenderContext, path: 'redis.persistence' | 'redis.sentinel.persistence') {
  const enabled = truthy(child(path, 'enabled'));
  return {
    volumeClaimTemplates: ctx.optional(enabled, [{ metadata: { name: 'data', annotations: claimTemplateAnnotations(ctx, path) }, spec: claimSpec(ctx, path) }]),
    emptyDirVolume: ctx.optional<IVolume>(not(enabled), { name: 'data', emptyDir: {} }),
  };
}

/** Volumes every Redis/Sentinel pod mounts; the root filesystem stays read-only. */
/** Redis pods of a release with auth.extraUsers mount the whole auth Secret for their passwords. */
const extraUsersOn = filled(at('auth.extraUsers'));

export function scriptVolumes(ctx: RenderContext, role: 'redis' | 'sentinel', configMap: string, scriptsMap: string, secretName: Val<string>, tlsSecret: string): Valued<IVolume>[] {
  return ctx.list<Valued<IVolume>>(
    { name: 'templates', configMap: { name: configMap, defaultMode: 0o444 } },
    { name: 'scripts', configMap: { name: scriptsMap, defaultMode: 0o555 } },
    // Each password under the file name the scripts read, whatever its key (auth.existingSecretKeys).
    { name: 'secrets', secret: { secretName, defaultMode: 0o440, items: ACL_USERS.map((u) => ({ key: passwordKey(ctx, u), path: passwordFile(u) })) } },
    ...(role === 'redis' ? [ctx.optional(extraUsersOn, { name: 'extra-secrets', secret: { secretName, defaultMode: 0o440 } })] : []),
    { name: 'runtime', emptyDir: { medium: 'Memory', sizeLimit: '16Mi' } },
    { name: 'tmp', emptyDir: { sizeLimit: '64Mi' } },
    ctx.optional(tlsOn, { name: 'tls', secret: { secretName: tlsSecret, defaultMode: 0o440 } }),
  );
}

export const scriptVolumeMounts = (ctx: RenderContext, role: 'redis' | 'sentinel') => ctx.list<{ name: string; mountPath: string; readOnly?: boolean }>(
  { name: 'templates', mountPath: PATHS.templates, readOnly: true },
  { name: 'scripts', mountPath: PATHS.scripts, readOnly: true },
  { name: 'secrets', mountPath: PATHS.secrets, readOnly: true },
  ...(role === 'redis' ? [ctx.optional(extraUsersOn, { name: 'extra-secrets', mountPath: PATHS.extraSecrets, readOnly: true })] : []),
  { name: 'runtime', mountPath: PATHS.runtime },
  { name: 'data', mountPath: PATHS.data },
  { name: 'tmp', mountPath: PATHS.tmp },
  ctx.optional(tlsOn, { name: 'tls', mountPath: PATHS.tls, readOnly: true }),
);

export function execProbe(script: string, arg: string, periodSeconds: number, failureThreshold: number, timeoutSeconds = 5) {
  return {
    exec: { command: ['sh', `${PATHS.scripts}/${script}`, arg] },
    periodSeconds,
    timeoutSeconds,
    failureThreshold,
  };
}
