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

local cells, slots, subj = {}, {}, {}
local fields = {}
for i = 1, n do
  local a = first + (i - 1) * 7
  local j = tonumber(ARGV[a])
  subj[i] = j
  slots[i] = {key = ARGV[a + 1], ss = ARGV[a + 2], s = tonumber(ARGV[a + 2]), es = ARGV[a + 3],
    e = tonumber(ARGV[a + 3]), lb = tonumber(ARGV[a + 4]), limit = ARGV[a + 5], amount = ARGV[a + 6]}
  local f = fields[j]
  if not f then f = {keys = {}, at = {}}; fields[j] = f end
  f.keys[#f.keys + 1] = ARGV[a + 1]
  f.at[#f.at + 1] = i
end
for j, f in pairs(fields) do
  local values = redis.call('HMGET', KEYS[2 + j], unpack(f.keys))
  for k = 1, #f.at do cells[f.at[k]] = cell(values[k]) end
end

local function answer(status, fit)
  local r = {status}
  for i = 1, n do
    r[#r + 1] = text(usedFor(cells[i], slots[i]))
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
  local sl = slots[i]
  local lh, ll = big(sl.limit)
  local ah, al = big(sl.amount)
  local uh, ul = usedFor(cells[i], sl)
  fit[i] = ufits(lh, ll, ah, al, uh, ul)
  all = all and fit[i]
end
if mode == 0 then return answer(all and 0 or 1, fit) end
if not all and (mode == 1 or mode == 2) then return answer(1, fit) end

local starts = {}
local dirty = {}
for i = 1, n do
  local c, sl = cells[i], slots[i]
  local ah, al = big(sl.amount)
  if mode == 4 then
    if c.ss then
      subtract(c, sl.s, ah, al)
      dirty[i] = true
    end
  else
    starts[i] = add(c, sl, ah, al, mode ~= 3)
    dirty[i] = true
  end
end
for j, f in pairs(fields) do
  local kv = {}
  for k = 1, #f.at do
    local i = f.at[k]
    if dirty[i] then
      kv[#kv + 1] = slots[i].key
      kv[#kv + 1] = encode(cells[i])
    end
  end
  if #kv > 0 then
    local key = KEYS[2 + j]
    local pre = redis.call('PTTL', key)
    redis.call('HSET', key, unpack(kv))
    keep(key, pre, tonumber(ARGV[6 + j]))
  end
end

if id ~= '' then
  local state = mode == 2 and '1' or '0'
  local rec = {ARGV[3] .. ' ' .. ARGV[4] .. ' ' .. state .. ' ' .. m}
  for j = 2, m do rec[#rec + 1] = ARGV[6 + m + j - 1] end
  if mode == 2 then
    for i = 1, n do
      rec[#rec + 1] = subj[i] .. ' ' .. starts[i] .. ' ' .. slots[i].amount .. ' ' .. slots[i].key
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
