-- UsageCounter.settle, and purge's refund of an expired reservation: exactly once either way.
-- KEYS: the owner's operations hash, the owner's expiry index, then the cell hashes of the first k
-- subjects of the reservation, in its order.
-- ARGV: operation id, k, purge time ('' to settle; else forget the id if it expired before then, refunding a
-- live reservation), then the final amount of each charge (settle only).
-- Answers 0 settled, 1 already settled, 2 cancelled, 3 not found, {4, charges} for a wrong number of final
-- amounts, {5, later subjects...} when the cell hashes of more subjects are needed (nothing changed),
-- 6 forgotten by purge, 7 not expired (purge: nothing changed).
local id = ARGV[1]
local k = tonumber(ARGV[2])
local purgeAt = ARGV[3]
local rec = redis.call('HGET', KEYS[1], id)
if not rec then return {purgeAt == '' and 3 or 6} end

local lines = {}
for line in string.gmatch(rec, '[^\n]+') do lines[#lines + 1] = line end
local fp, exp, state, m = string.match(lines[1], '^(%S+) (%S+) (%S+) (%S+)$')
m = tonumber(m)
local n = #lines - m

local function forget()
  redis.call('HDEL', KEYS[1], id)
  redis.call('ZREM', KEYS[2], id)
end

local finals = {}
if purgeAt ~= '' then
  if tonumber(exp) >= tonumber(purgeAt) then return {7} end
  if state ~= '1' then forget(); return {6} end
  for i = 1, n do finals[i] = '0' end
else
  if state == '0' then return {3} end
  if state == '2' then return {1} end
  if state == '3' then return {2} end
  if #ARGV - 3 ~= n then return {4, n} end
  for i = 1, n do finals[i] = ARGV[3 + i] end
end
if m > k then
  local r = {5}
  for j = 2, m do r[#r + 1] = lines[j] end
  return r
end

local cancel = true
for i = 1, n do
  local j, s, amount, key = string.match(lines[m + i], '^(%S+) (%S+) (%S+) (.*)$')
  local fh, fl = big(finals[i])
  local ah, al = big(amount)
  if finals[i] ~= '0' then cancel = false end
  if finals[i] ~= amount then
    local hash = KEYS[2 + tonumber(j)]
    local c = cell(redis.call('HGET', hash, key))
    if c.ss then
      if ule(ah, al, fh, fl) then
        local dh, dl = usub(fh, fl, ah, al)
        addToBucket(c, tonumber(s), dh, dl)
      else
        local dh, dl = usub(ah, al, fh, fl)
        subtract(c, tonumber(s), dh, dl)
      end
      redis.call('HSET', hash, key, encode(c))
    end
  end
end
if purgeAt ~= '' then forget(); return {6} end
lines[1] = fp .. ' ' .. exp .. ' ' .. (cancel and '3' or '2') .. ' ' .. m
redis.call('HSET', KEYS[1], id, table.concat(lines, '\n'))
return {0}
