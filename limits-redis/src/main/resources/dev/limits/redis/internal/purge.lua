-- UsageCounter.purge of one subject's cells: drops those no slot can count again, at most max of them.
-- KEYS: the subject's cell hash. ARGV: now, max. Answers how many it dropped.
local now = tonumber(ARGV[1])
local max = tonumber(ARGV[2])
local all = redis.call('HGETALL', KEYS[1])
local dropped = 0
for i = 1, #all, 2 do
  if dropped >= max then break end
  if keptUntil(cell(all[i + 1])) <= now then
    redis.call('HDEL', KEYS[1], all[i])
    dropped = dropped + 1
  end
end
return dropped
