-- UsageCounter.purge of one subject's cells that Java found droppable: drops each field that still holds
-- the value Java read (one written since is left for a later purge).
-- KEYS: the subject's cell hash. ARGV: field, value, field, value... Answers how many it dropped.
local dropped = 0
for i = 1, #ARGV, 2 do
  if redis.call('HGET', KEYS[1], ARGV[i]) == ARGV[i + 1] then
    redis.call('HDEL', KEYS[1], ARGV[i])
    dropped = dropped + 1
  end
end
return dropped
