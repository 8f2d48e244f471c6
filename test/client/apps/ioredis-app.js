// A Node.js app configured only from the client contract (the ConfigMap's env, the passwords from the
// Secret, the CA file from the client CA Secret): writes a session with the contract's TTL and a cache
// entry, reads both back, prints what it saw as JSON. Usage: node ioredis-app.js url|sentinel <id>
const fs = require('fs');
const Redis = require('ioredis');

const e = process.env;
const [mode, id] = process.argv.slice(2);
const tls = e.REDIS_TLS === 'true' ? { ca: fs.readFileSync(e.REDIS_TLS_CA_FILE) } : undefined;
const once = { maxRetriesPerRequest: 2, retryStrategy: (n) => (n > 5 ? null : 200), connectTimeout: 3000 };

function clients() {
  if (mode === 'url') {
    // ioredis takes the URL's (empty) password over the password option: put it into the URL.
    const withPassword = (url, password) => Object.assign(new URL(url), { password: encodeURIComponent(password) }).toString();
    return [
      new Redis(withPassword(e.REDIS_URL, e.REDIS_PASSWORD), { ...once, tls }),
      new Redis(withPassword(e.REDIS_CACHE_URL, e.REDIS_CACHE_PASSWORD), { ...once, tls }),
    ];
  }
  const sentinels = e.REDIS_SENTINELS.split(',').map((s) => ({ host: s.slice(0, s.lastIndexOf(':')), port: Number(s.slice(s.lastIndexOf(':') + 1)) }));
  const common = {
    ...once,
    sentinels,
    name: e.REDIS_MASTER_NAME,
    sentinelUsername: e.REDIS_SENTINEL_USERNAME,
    sentinelPassword: e.REDIS_SENTINEL_PASSWORD,
    ...(tls ? { tls, sentinelTLS: tls, enableTLSForSentinelMode: true } : {}),
  };
  return [
    new Redis({ ...common, username: e.REDIS_USERNAME, password: e.REDIS_PASSWORD, db: Number(e.REDIS_DB) }),
    new Redis({ ...common, username: e.REDIS_CACHE_USERNAME, password: e.REDIS_CACHE_PASSWORD, db: Number(e.REDIS_CACHE_DB) }),
  ];
}

(async () => {
  const [sessions, cache] = clients();
  try {
    const key = `${e.REDIS_KEY_PREFIX}${id}`;
    const session = JSON.stringify({ user: 'u-1', client: 'ioredis', mode });
    await sessions.set(key, session, 'EX', Number(e.SESSION_TTL_SECONDS));
    const cacheKey = `${e.REDIS_CACHE_KEY_PREFIX}${id}`;
    await cache.set(cacheKey, 'cached', 'EX', Number(e.CACHE_DEFAULT_TTL_SECONDS));
    const out = {
      key,
      read: await sessions.get(key),
      ttl: await sessions.ttl(key),
      role: (await sessions.role())[0],
      cacheKey,
      cacheRead: await cache.get(cacheKey),
      cacheTtl: await cache.ttl(cacheKey),
    };
    console.log(JSON.stringify(out));
  } finally {
    sessions.disconnect();
    cache.disconnect();
  }
})().catch((err) => {
  console.error(err.stack || String(err));
  process.exit(1);
});
