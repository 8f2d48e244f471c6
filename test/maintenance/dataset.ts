/**
 * Generated data in the key contract (docs/key-contract.md) and the state the
 * cleanup scripts must leave, computed independently of the Lua scripts.
 */
import Redis from 'ioredis';

export function prng(seed: number) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** alive: key exists with a long TTL; expiring: key written with a 1 ms TTL; missing: no key at all. */
export type Fate = 'alive' | 'expiring' | 'missing';
export interface Entry {
  readonly member: string;
  readonly score: number;
  readonly fate: Fate;
}
export interface UserData {
  readonly user: string;
  readonly sessions: Entry[];
  readonly refresh: Entry[];
}

const fateOf = (r: number): Fate => (r < 0.6 ? 'alive' : r < 0.8 ? 'expiring' : 'missing');

/** Users with 0..maxPerUser sessions and refresh tokens each; scores collide now and then (ties break by member). */
export function sessionDataset(seed: number, users: number, maxPerUser = 9, tag = 'u'): UserData[] {
  const rnd = prng(seed);
  const base = 1_700_000_000_000;
  const out: UserData[] = [];
  for (let u = 0; u < users; u++) {
    const entries = (kind: string) =>
      Array.from({ length: Math.floor(rnd() * (maxPerUser + 1)) }, (_, i) => ({
        member: `${kind}${tag}${u}x${i}${Math.floor(rnd() * 1e6).toString(36)}`,
        score: base + Math.floor(rnd() * 20) * 1000,
        fate: fateOf(rnd()),
      }));
    out.push({ user: `${tag}${u}`, sessions: entries('s'), refresh: entries('r') });
  }
  return out;
}

export interface ExpectedState {
  /** key → zset contents [member, score][] in ZRANGE order, or the string value. */
  readonly keys: Map<string, string>;
  readonly removed: number;
  readonly evictedSessions: number;
  readonly evictedRefresh: number;
  readonly entries: number;
}

const byAge = (a: Entry, b: Entry) => a.score - b.score || (a.member < b.member ? -1 : a.member > b.member ? 1 : 0);
export const sessionValue = (prefix: string, u: string, m: string) => JSON.stringify({ user: u, id: m, prefix });

/** Writes the dataset as an app would (session key first, then the index entry). */
export async function writeSessions(c: Redis, prefix: string, data: UserData[], ttlSeconds: number): Promise<void> {
  for (let i = 0; i < data.length; i += 200) {
    const p = c.pipeline();
    for (const d of data.slice(i, i + 200)) {
      for (const [entries, item, index] of [
        [d.sessions, prefix, `${prefix}user:${d.user}`],
        [d.refresh, `${prefix}refresh:`, `${prefix}user_refresh:${d.user}`],
      ] as const) {
        for (const e of entries) {
          if (e.fate === 'alive') p.set(`${item}${e.member}`, sessionValue(prefix, d.user, e.member), 'EX', ttlSeconds);
          if (e.fate === 'expiring') p.set(`${item}${e.member}`, 'x', 'PX', 1);
          p.zadd(index, e.score, e.member);
        }
      }
    }
    await p.exec();
  }
}

/** What the session cleanup must leave: the newest max alive entries per user, nothing else changed. */
export function expectedSessions(prefix: string, data: UserData[], maxSessions: number, maxRefresh: number): ExpectedState {
  const keys = new Map<string, string>();
  let removed = 0,
    evictedSessions = 0,
    evictedRefresh = 0,
    entries = 0;
  for (const d of data) {
    for (const [list, item, index, max, kind] of [
      [d.sessions, prefix, `${prefix}user:${d.user}`, maxSessions, 's'],
      [d.refresh, `${prefix}refresh:`, `${prefix}user_refresh:${d.user}`, maxRefresh, 'r'],
    ] as const) {
      entries += list.length;
      const alive = list.filter((e) => e.fate === 'alive').sort(byAge);
      removed += list.length - alive.length;
      const kept = alive.slice(Math.max(0, alive.length - max));
      if (kind === 's') evictedSessions += alive.length - kept.length;
      else evictedRefresh += alive.length - kept.length;
      for (const e of kept) keys.set(`${item}${e.member}`, sessionValue(prefix, d.user, e.member));
      if (kept.length) keys.set(index, JSON.stringify(kept.flatMap((e) => [e.member, String(e.score)])));
    }
  }
  return { keys, removed, evictedSessions, evictedRefresh, entries };
}

export interface ServiceData {
  readonly service: string;
  readonly entries: Entry[];
}

export function cacheDataset(seed: number, services: number, maxPerService: number): ServiceData[] {
  const rnd = prng(seed);
  const base = 1_700_000_000_000;
  return Array.from({ length: services }, (_, s) => ({
    service: `svc-${s}.v1`,
    entries: Array.from({ length: Math.floor(rnd() * maxPerService) + 1 }, (_, i) => ({
      member: `k${i}:${Math.floor(rnd() * 1e6).toString(36)}`,
      score: base + Math.floor(rnd() * 50) * 1000,
      fate: fateOf(rnd()),
    })),
  }));
}

export const cacheValue = (service: string, member: string) => `value of ${service} ${member}`;

export async function writeCache(c: Redis, data: ServiceData[], ttlSeconds: number): Promise<void> {
  const p = c.pipeline();
  for (const s of data) {
    for (const e of s.entries) {
      if (e.fate === 'alive') p.set(`cache:${s.service}:${e.member}`, cacheValue(s.service, e.member), 'EX', ttlSeconds);
      if (e.fate === 'expiring') p.set(`cache:${s.service}:${e.member}`, 'x', 'PX', 1);
      p.zadd(`cache_index:${s.service}`, e.score, e.member);
    }
  }
  await p.exec();
}

/** What the cache cleanup must leave: per service the max most recently used alive entries. */
export function expectedCache(data: ServiceData[], max: number) {
  const keys = new Map<string, string>();
  let removed = 0,
    evicted = 0,
    entries = 0;
  for (const s of data) {
    entries += s.entries.length;
    const alive = s.entries.filter((e) => e.fate === 'alive').sort(byAge);
    removed += s.entries.length - alive.length;
    const kept = alive.slice(Math.max(0, alive.length - max));
    evicted += alive.length - kept.length;
    for (const e of kept) keys.set(`cache:${s.service}:${e.member}`, cacheValue(s.service, e.member));
    if (kept.length) keys.set(`cache_index:${s.service}`, JSON.stringify(kept.flatMap((e) => [e.member, String(e.score)])));
  }
  return { keys, removed, evicted, entries };
}

/** UNLINK every key matching a pattern (as a user whose ACL allows it). */
export async function clear(c: Redis, match: string): Promise<void> {
  let cursor = '0';
  do {
    const [next, keys] = await c.scan(cursor, 'MATCH', match, 'COUNT', 1000);
    cursor = next;
    if (keys.length) await c.unlink(...keys);
  } while (cursor !== '0');
}
