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

-- Per charge i: its subject subj[i], counter key key[i], slot start ss[i]/s[i], end es[i]/e[i], lookback
-- lb[i], limit lh[i]/ll[i], amount as sent am[i] and as ah[i]/al[i], and its cell.
local subj, key, ss, s, es, e, lb, lh, ll, am, ah, al, cells = {}, {}, {}, {}, {}, {}, {}, {}, {}, {}, {}, {}, {}
for i = 1, n do
  local a = first + (i - 1) * 7
  subj[i] = tonumber(ARGV[a])
  key[i] = ARGV[a + 1]
  ss[i] = ARGV[a + 2]
  s[i] = tonumber(ss[i])
  es[i] = ARGV[a + 3]
  e[i] = tonumber(es[i])
  lb[i] = tonumber(ARGV[a + 4])
  lh[i], ll[i] = big(ARGV[a + 5])
  am[i] = ARGV[a + 6]
  ah[i], al[i] = big(am[i])
end
for j = 1, m do
  local fields, at = {}, {}
  for i = 1, n do
    if subj[i] == j then
      fields[#fields + 1] = key[i]
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
    r[#r + 1] = text(usedFor(cells[i], s[i]))
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
  local uh, ul = usedFor(cells[i], s[i])
  fit[i] = ufits(lh[i], ll[i], ah[i], al[i], uh, ul)
  all = all and fit[i]
end
if mode == 0 then return answer(all and 0 or 1, fit) end
if not all and (mode == 1 or mode == 2) then return answer(1, fit) end

local starts = {}
local dirty = {}
for i = 1, n do
  local c = cells[i]
  if mode == 4 then
    if c.ss then
      subtract(c, s[i], ah[i], al[i])
      dirty[i] = true
    end
  else
    starts[i] = add(c, lb[i], ss[i], s[i], es[i], e[i], ah[i], al[i], mode ~= 3)
    dirty[i] = true
  end
end
for j = 1, m do
  local kv = {}
  for i = 1, n do
    if subj[i] == j and dirty[i] then
      kv[#kv + 1] = key[i]
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
      rec[#rec + 1] = subj[i] .. ' ' .. starts[i] .. ' ' .. am[i] .. ' ' .. key[i]
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
