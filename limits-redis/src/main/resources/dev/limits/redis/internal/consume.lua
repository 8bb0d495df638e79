-- UsageCounter.consume: reads every cell of the request, applies every charge or none, answers usage.
-- KEYS: the owner's operations hash, the owner's expiry index, then each subject's cell hash in order.
-- ARGV: mode code, operation id ('' for none), fingerprint, expiresAt, operations' time to live (ms),
-- m (subjects), m cell times to live (ms, -1: for ever), the m - 1 later subjects' ids, then 7 per charge:
-- subject (1-based), counter key, slot start, slot end, lookback, limit, amount.
-- Answers status (0 applied, 1 denied, 2 duplicate, 3 mismatch), then per charge its usage and 1 if it fit.
local mode = tonumber(ARGV[1])
local id = ARGV[2]
local m = tonumber(ARGV[6])
local first = 7 + 2 * m - 1
local n = (#ARGV - first + 1) / 7

-- Per charge i, from P[8 * (i - 1)]: its subject, slot start and end, lookback, limit and amount (as two
-- exact parts each), in one flat table (each table that grows costs Lua a rehash per doubling); its
-- counter key, start, end and amount as sent are read from ARGV at q(i).
local P, cells = {}, {}
local function q(i) return first + (i - 1) * 7 end
for i = 1, n do
  local a, o = q(i), 8 * (i - 1)
  P[o + 1] = tonumber(ARGV[a])
  P[o + 2] = tonumber(ARGV[a + 2])
  P[o + 3] = tonumber(ARGV[a + 3])
  P[o + 4] = tonumber(ARGV[a + 4])
  P[o + 5], P[o + 6] = big(ARGV[a + 5])
  P[o + 7], P[o + 8] = big(ARGV[a + 6])
end
for j = 1, m do
  local fields, at = {}, {}
  for i = 1, n do
    if P[8 * (i - 1) + 1] == j then
      fields[#fields + 1] = ARGV[q(i) + 1]
      at[#at + 1] = i
    end
  end
  if #at > 0 then
    local values = redis.call('HMGET', KEYS[2 + j], unpack(fields))
    for k = 1, #at do cells[at[k]] = cell(values[k]) end
  end
end

local function answer(status, fit)
  local r = {status}
  for i = 1, n do
    r[#r + 1] = text(usedFor(cells[i], P[8 * (i - 1) + 2]))
    r[#r + 1] = fit[i] and 1 or 0
  end
  return r
end

local fit = {}
if id ~= '' then
  local rec = redis.call('HGET', KEYS[1], id)
  if rec then
    for i = 1, n do fit[i] = true end
    return answer(string.match(rec, '^%S+') == ARGV[3] and 2 or 3, fit)
  end
end

local all = true
for i = 1, n do
  local o = 8 * (i - 1)
  local uh, ul = usedFor(cells[i], P[o + 2])
  fit[i] = ufits(P[o + 5], P[o + 6], P[o + 7], P[o + 8], uh, ul)
  all = all and fit[i]
end
if mode == 0 then return answer(all and 0 or 1, fit) end
if not all and (mode == 1 or mode == 2) then return answer(1, fit) end

local starts = {}
local dirty = {}
for i = 1, n do
  local c, o, a = cells[i], 8 * (i - 1), q(i)
  if mode == 4 then
    if c.ss then
      subtract(c, P[o + 2], P[o + 7], P[o + 8])
      dirty[i] = true
    end
  else
    starts[i] = add(c, P[o + 4], ARGV[a + 2], P[o + 2], ARGV[a + 3], P[o + 3], P[o + 7], P[o + 8], mode ~= 3)
    dirty[i] = true
  end
end
for j = 1, m do
  local kv = {}
  for i = 1, n do
    if P[8 * (i - 1) + 1] == j and dirty[i] then
      kv[#kv + 1] = ARGV[q(i) + 1]
      kv[#kv + 1] = encode(cells[i])
    end
  end
  if #kv > 0 then
    local hash = KEYS[2 + j]
    local pre = redis.call('PTTL', hash)
    redis.call('HSET', hash, unpack(kv))
    keep(hash, pre, tonumber(ARGV[6 + j]))
  end
end

if id ~= '' then
  local state = mode == 2 and '1' or '0'
  local rec = {ARGV[3] .. ' ' .. ARGV[4] .. ' ' .. state .. ' ' .. m}
  for j = 2, m do rec[#rec + 1] = ARGV[6 + m + j - 1] end
  if mode == 2 then
    for i = 1, n do
      local a = q(i)
      rec[#rec + 1] = ARGV[a] .. ' ' .. starts[i] .. ' ' .. ARGV[a + 6] .. ' ' .. ARGV[a + 1]
    end
  end
  local ttl = tonumber(ARGV[5])
  local pre = redis.call('PTTL', KEYS[1])
  redis.call('HSET', KEYS[1], id, table.concat(rec, '\n'))
  keep(KEYS[1], pre, ttl)
  pre = redis.call('PTTL', KEYS[2])
  redis.call('ZADD', KEYS[2], ARGV[4], id)
  keep(KEYS[2], pre, ttl)
end
return answer(0, fit)
