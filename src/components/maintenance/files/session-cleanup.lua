-- Session cleanup, one bounded batch (see docs/key-contract.md).
-- ARGV: cursor, key prefix P, SCAN COUNT, max sessions per user, max refresh tokens per user.
-- Visits the keys of one SCAN step matching P.."user*" and, for every per-user index
--   P.."user:"..userId          (zset: sessionId -> creation ms, session key P..sessionId)
--   P.."user_refresh:"..userId  (zset: token -> creation ms, token key P.."refresh:"..token)
-- removes the entries whose key no longer exists, then unlinks the oldest entries
-- beyond the per-user limit (lowest score first; equal scores by member, the ZRANGE
-- order). Atomic per batch and idempotent, so concurrent runs converge on the same
-- result. Returns one line: "cursor indexes entries removed evicted_sessions evicted_refresh".
local cursor, prefix, count = ARGV[1], ARGV[2], ARGV[3]
local sessionIndex = prefix .. 'user:'
local refreshIndex = prefix .. 'user_refresh:'
local limits = {
  [sessionIndex] = { item = prefix, max = tonumber(ARGV[4]) },
  [refreshIndex] = { item = prefix .. 'refresh:', max = tonumber(ARGV[5]) },
}

local function zrem(key, members)
  -- unpack() has a stack limit; remove in chunks.
  for i = 1, #members, 500 do
    redis.call('ZREM', key, unpack(members, i, math.min(i + 499, #members)))
  end
end

local scan = redis.call('SCAN', cursor, 'MATCH', prefix .. 'user*', 'COUNT', count)
local indexes, entries, removed, evicted = 0, 0, 0, { [sessionIndex] = 0, [refreshIndex] = 0 }
for _, key in ipairs(scan[2]) do
  local kind
  if string.sub(key, 1, #sessionIndex) == sessionIndex then
    kind = sessionIndex
  elseif string.sub(key, 1, #refreshIndex) == refreshIndex then
    kind = refreshIndex
  end
  if kind and redis.call('TYPE', key)['ok'] == 'zset' then
    local limit = limits[kind]
    local members = redis.call('ZRANGE', key, 0, -1)
    local alive, dead = {}, {}
    for i = 1, #members do
      if redis.call('EXISTS', limit.item .. members[i]) == 1 then
        alive[#alive + 1] = members[i]
      else
        dead[#dead + 1] = members[i]
      end
    end
    local excess = #alive - limit.max
    for i = 1, excess do
      redis.call('UNLINK', limit.item .. alive[i])
      dead[#dead + 1] = alive[i]
    end
    if #dead > 0 then zrem(key, dead) end
    indexes = indexes + 1
    entries = entries + #members
    removed = removed + #dead - math.max(excess, 0)
    evicted[kind] = evicted[kind] + math.max(excess, 0)
  end
end
return string.format('%s %d %d %d %d %d', scan[1], indexes, entries, removed, evicted[sessionIndex], evicted[refreshIndex])
