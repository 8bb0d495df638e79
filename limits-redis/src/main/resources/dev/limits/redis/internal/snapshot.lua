-- UsageCounter.snapshot: the counter key, newest period start and usage of each cell that still counts.
-- KEYS: the subject's cell hash. ARGV: now.
local now = tonumber(ARGV[1])
local all = redis.call('HGETALL', KEYS[1])
local r = {}
for i = 1, #all, 2 do
  local c = cell(all[i + 1])
  if expiresAt(c) > now then
    r[#r + 1] = all[i]
    r[#r + 1] = c.ss
    r[#r + 1] = text(usedAt(c, now))
  end
end
return r
