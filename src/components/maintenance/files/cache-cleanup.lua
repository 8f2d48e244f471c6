-- Cache cleanup of one service index, one bounded step (see docs/key-contract.md).
-- KEYS[1]: the LRU index cache_index:{service} (zset: key -> last access ms).
-- ARGV: mode ("sweep" | "evict"), rank offset, batch size, item prefix "cache:{service}:",
--       max entries per service.
-- sweep: checks `batch` members from `offset` and removes those whose cache key is gone;
--        returns "next_offset checked removed" (next_offset -1 when the index is done).
-- evict: while the index holds more than max entries, unlinks the least recently used
--        (lowest score) ones, at most `batch` per call; returns "evicted removed excess_left".
-- Only cache:* and cache_index:* keys are touched (the cache ACL user allows no more).
local index = KEYS[1]
local mode, offset, batch, item, max = ARGV[1], tonumber(ARGV[2]), tonumber(ARGV[3]), ARGV[4], tonumber(ARGV[5])

local function zrem(members)
  for i = 1, #members, 500 do
    redis.call('ZREM', index, unpack(members, i, math.min(i + 499, #members)))
  end
end

if mode == 'sweep' then
  local members = redis.call('ZRANGE', index, offset, offset + batch - 1)
  local dead = {}
  for i = 1, #members do
    if redis.call('EXISTS', item .. members[i]) == 0 then dead[#dead + 1] = members[i] end
  end
  if #dead > 0 then zrem(dead) end
  local nextOffset = offset + #members - #dead
  if #members < batch then nextOffset = -1 end
  return string.format('%d %d %d', nextOffset, #members, #dead)
elseif mode == 'evict' then
  local excess = redis.call('ZCARD', index) - max
  if excess <= 0 then return '0 0 0' end
  local members = redis.call('ZRANGE', index, 0, math.min(excess, batch) - 1)
  local evicted, removed = 0, 0
  for i = 1, #members do
    -- An entry whose key already expired is only dropped from the index.
    if redis.call('UNLINK', item .. members[i]) == 1 then evicted = evicted + 1 else removed = removed + 1 end
  end
  zrem(members)
  return string.format('%d %d %d', evicted, removed, excess - #members)
end
return redis.error_reply('cache-cleanup.lua: mode must be sweep or evict, got ' .. tostring(mode))
