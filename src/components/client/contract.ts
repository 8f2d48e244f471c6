import { any } from '../../config/expr';
import { infinispanOn, masterEndpointOn, sentinelMode, standaloneMode, tlsOn } from '../../config/predicates';
import { masterHost } from '../master-endpoint/contract';
import { RenderContext, Val } from '../../render/context';
import { PORTS, infinispanHost } from '../infinispan/contract';
import { clientCaSecretName } from '../tls/names';
import { REDIS_PORT, SENTINEL_PORT, authSecretName, names } from '../redis/contract';
import { serviceHost } from '../shared/naming';
import { passwordKey } from '../secrets/keys';

/** The ACL users apps log in as (src/components/redis/files/users.acl) and the keys they may touch. */
export const SESSION_USER = 'app';
export const CACHE_USER = 'cache';
/** The cache user's key pattern in users.acl is ~cache:* ~cache_index:*. */
export const CACHE_KEY_PREFIX = 'cache:';
/** SASL mechanism Hot Rod clients use without TLS (the server offers SCRAM-SHA-512/256). */
export const INFINISPAN_SASL_MECHANISM = 'SCRAM-SHA-512';

export const CLIENT_CONFIG_MAP_SUFFIX = 'client';

/**
 * What an application needs to reach the session stores, as environment variables
 * (mount the ConfigMap with envFrom). Passwords are not here: CREDENTIALS_SECRET and
 * the *_PASSWORD_KEY entries name where they are. docs/client-contract.md documents
 * every entry.
 */
export function clientEnvironment(ctx: RenderContext): Record<string, string | Val<string> | undefined> {
  const v = ctx.values;
  const n = names(ctx);
  const sentinel = sentinelMode;
  const standalone = standaloneMode;
  const infinispan = infinispanOn;
  // One address that always reaches the master: the Redis Service (standalone) or the master endpoint.
  const direct = any(standalone, masterEndpointOn);
  const host = ctx.choose(standalone, serviceHost(ctx, n.redis), masterHost(ctx));
  const scheme = ctx.choose(tlsOn, 'rediss', 'redis');
  const url = (user: string, db: Val<number>) => `${scheme}://${user}@${host}:${REDIS_PORT}/${ctx.asString(db)}`;
  return {
    SESSION_PERSISTENCE_TYPE: ctx.choose(infinispan, 'infinispan', 'redis'),
    SESSION_PERSISTENCE_ENABLED: ctx.choose(infinispan, 'true', 'false'),
    REDIS_ENABLED: 'true',
    REDIS_MODE: v.redis.mode,
    // The password is not in the URL: apps take it from the Secret (REDIS_PASSWORD) and set it as the client's password.
    REDIS_URL: ctx.optional(direct, url(SESSION_USER, v.redis.databases.sessions)),
    REDIS_HOST: ctx.optional(direct, host),
    REDIS_PORT: ctx.optional(direct, String(REDIS_PORT)),
    REDIS_DB: ctx.asString(v.redis.databases.sessions),
    REDIS_SENTINELS: ctx.optional(sentinel, `${serviceHost(ctx, n.sentinel)}:${SENTINEL_PORT}`),
    REDIS_MASTER_NAME: ctx.optional(sentinel, v.redis.masterName),
    // The sentinels know only the app user among clients (sentinel-users.acl), also for the cache client.
    REDIS_SENTINEL_USERNAME: ctx.optional(sentinel, SESSION_USER),
    REDIS_SENTINEL_PASSWORD_KEY: ctx.optional(sentinel, passwordKey(ctx, SESSION_USER)),
    REDIS_TLS: ctx.choose(tlsOn, 'true', 'false'),
    // Mount this Secret's ca.crt to verify the servers (rediss://).
    REDIS_TLS_CA_SECRET: ctx.optional(tlsOn, clientCaSecretName(ctx)),
    REDIS_TLS_CA_KEY: ctx.optional(tlsOn, 'ca.crt'),
    REDIS_USERNAME: SESSION_USER,
    REDIS_KEY_PREFIX: v.sessions.keyPrefix,
    REDIS_SESSIONS_DB: ctx.asString(v.redis.databases.sessions),
    // The TTLs apps set on what they write (SET ... EX): the only place these values act.
    SESSION_TTL_SECONDS: ctx.asString(v.sessions.ttlSeconds),
    REFRESH_TOKEN_TTL_SECONDS: ctx.asString(v.sessions.refreshTokenTtlSeconds),
    CACHE_DEFAULT_TTL_SECONDS: ctx.asString(v.cache.defaultTtlSeconds),
    // The limits the session cleanup CronJob enforces (the oldest beyond them are removed).
    MAX_SESSIONS_PER_USER: ctx.asString(v.sessions.maxSessionsPerUser),
    MAX_REFRESH_TOKENS_PER_USER: ctx.asString(v.sessions.maxRefreshTokensPerUser),
    REDIS_CACHE_URL: ctx.optional(direct, url(CACHE_USER, v.redis.databases.cache)),
    REDIS_CACHE_USERNAME: CACHE_USER,
    REDIS_CACHE_KEY_PREFIX: CACHE_KEY_PREFIX,
    REDIS_CACHE_DB: ctx.asString(v.redis.databases.cache),
    CREDENTIALS_SECRET: authSecretName(ctx),
    REDIS_PASSWORD_KEY: passwordKey(ctx, SESSION_USER),
    REDIS_CACHE_PASSWORD_KEY: passwordKey(ctx, CACHE_USER),
    INFINISPAN_ENABLED: ctx.choose(infinispan, 'true', 'false'),
    INFINISPAN_HOST: ctx.optional(infinispan, infinispanHost(ctx)),
    INFINISPAN_PORT: ctx.optional(infinispan, String(PORTS.client)),
    INFINISPAN_CACHE_NAME: ctx.optional(infinispan, v.infinispan.cache.name),
    INFINISPAN_TLS: ctx.optional(infinispan, ctx.choose(tlsOn, 'true', 'false')),
    INFINISPAN_SASL_MECHANISM: ctx.optional(infinispan, INFINISPAN_SASL_MECHANISM),
    INFINISPAN_USERNAME_KEY: ctx.optional(infinispan, v.infinispan.auth.usernameKey),
    INFINISPAN_PASSWORD_KEY: ctx.optional(infinispan, v.infinispan.auth.passwordKey),
  };
}
