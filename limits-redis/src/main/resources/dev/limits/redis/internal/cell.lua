-- The arithmetic of a counter cell, shared by every script of RedisUsageCounter (prepended to each).
--
-- A cell is one field of its subject's hash, the counter key, holding "lookback start end used", then
-- "start used" for each earlier bucket of a rolling window that still counts: decimal longs. The rules are
-- those of dev.limits.spi.WindowCell, which Java uses for what needs no atomicity (snapshots, what purge
-- may drop); here is only what a consume and a settle must do inside Redis, alone.
--
-- Lua's numbers are doubles, exact only up to 2^53, so a usage (any long of zero or more) is handled as two
-- exact doubles, h * 1e9 + l, saturating at the long range as WindowCell does; times stay the strings Java
-- sent (epoch milliseconds, exact as doubles; the lifetime end, Long.MAX_VALUE, is only compared and written
-- back as sent).

local B = 1000000000
local MAXH, MAXL = 9223372036, 854775807

local function big(s)
  local n = #s
  if n <= 9 then return 0, tonumber(s) end
  return tonumber(string.sub(s, 1, n - 9)), tonumber(string.sub(s, n - 8))
end

local function text(h, l)
  if h == 0 then return tostring(l) end
  return string.format('%d%09d', h, l)
end

local function beyond(h, l)
  return h > MAXH or (h == MAXH and l > MAXL)
end

local function ule(ah, al, bh, bl)
  return ah < bh or (ah == bh and al <= bl)
end

-- a + b, saturating at Long.MAX_VALUE
local function uadd(ah, al, bh, bl)
  local h, l = ah + bh, al + bl
  if l >= B then h, l = h + 1, l - B end
  if beyond(h, l) then return MAXH, MAXL end
  return h, l
end

-- max(0, a - b)
local function usub(ah, al, bh, bl)
  if ule(ah, al, bh, bl) then return 0, 0 end
  local h, l = ah - bh, al - bl
  if l < 0 then h, l = h - 1, l + B end
  return h, l
end

-- Charge.fits: used + amount <= limit without overflow; used < limit for an amount of zero
local function ufits(lh, ll, ah, al, uh, ul)
  if ah == 0 and al == 0 then return not ule(lh, ll, uh, ul) end
  local h, l = uh + ah, ul + al
  if l >= B then h, l = h + 1, l - B end
  return not beyond(h, l) and ule(h, l, lh, ll)
end

-- The earlier buckets of a cell that has none: shared, never written (no bucket is ever found in it).
local NONE = {}

-- A stored cell, or an empty one (ss false) for a missing field. Earlier buckets, only rolling cells have
-- them: their starts (bs, and bss as sent) and usage (bh, bl).
local function cell(v)
  -- Every field in the constructor, so that the table is made at its size once (false: no period yet).
  if not v then
    return {lb = 0, ss = false, s = 0, es = false, e = 0, uh = 0, ul = 0, bs = NONE, bss = NONE, bh = NONE,
      bl = NONE}
  end
  local lb, ss, es, u, rest = string.match(v, '^(%d+) (%S+) (%S+) (%d+)(.*)$')
  local uh, ul = big(u)
  local c = {lb = tonumber(lb), ss = ss, s = tonumber(ss), es = es, e = tonumber(es), uh = uh, ul = ul,
    bs = NONE, bss = NONE, bh = NONE, bl = NONE}
  if rest ~= '' then
    local bs, bss, bh, bl = {}, {}, {}, {}
    local k = 0
    for w, x in string.gmatch(rest, ' (%S+) (%d+)') do
      k = k + 1
      bss[k], bs[k] = w, tonumber(w)
      bh[k], bl[k] = big(x)
    end
    c.bs, c.bss, c.bh, c.bl = bs, bss, bh, bl
  end
  return c
end

local function encode(c)
  local t = c.lb .. ' ' .. c.ss .. ' ' .. c.es .. ' ' .. text(c.uh, c.ul)
  for k = 1, #c.bs do
    t = t .. ' ' .. c.bss[k] .. ' ' .. text(c.bh[k], c.bl[k])
  end
  return t
end

local function sumFrom(c, from, to)
  local h, l = 0, 0
  if c.s >= from and c.s <= to then h, l = c.uh, c.ul end
  for k = 1, #c.bs do
    if c.bs[k] >= from and c.bs[k] <= to then h, l = uadd(h, l, c.bh[k], c.bl[k]) end
  end
  return h, l
end

-- Usage that counts against the slot starting at s: a calendar or lifetime cell's unless its period ended
-- at or before the slot's start (Slot.counts); for a rolling cell, the later of the slot's and the stored
-- bucket wins.
local function usedFor(c, s)
  if not c.ss then return 0, 0 end
  if c.lb == 0 then
    if c.e > s then return c.uh, c.ul end
    return 0, 0
  end
  local ref = math.max(s, c.s)
  return sumFrom(c, ref - c.lb * (c.e - c.s), ref)
end

-- Applies op (uadd or usub) with an amount to the bucket starting at s, if the cell still holds it.
local function adjustBucket(c, s, ah, al, op)
  if not c.ss then return end
  if s == c.s then c.uh, c.ul = op(c.uh, c.ul, ah, al); return end
  for k = 1, #c.bs do
    if c.bs[k] == s then c.bh[k], c.bl[k] = op(c.bh[k], c.bl[k], ah, al) end
  end
end

local function addToBucket(c, s, ah, al) adjustBucket(c, s, ah, al, uadd) end

local function subtract(c, s, ah, al) adjustBucket(c, s, ah, al, usub) end

-- Adds an amount for the slot (lookback lb, start ss/s, end es/e); returns the start of the bucket charged.
-- A calendar or lifetime cell that counts against the slot takes it and extends its end; a newer stored
-- bucket wins: with intoNewer the amount counts there, otherwise (FORCE: usage of an ended period) in its
-- own bucket if that is kept. A new newest bucket drops what can never count again.
local function add(c, lb, ss, s, es, e, ah, al, intoNewer)
  if not c.ss then
    c.lb, c.ss, c.s, c.es, c.e, c.uh, c.ul = lb, ss, s, es, e, ah, al
    return ss
  end
  if c.lb == 0 and s > c.s and c.e > s then
    c.uh, c.ul = uadd(c.uh, c.ul, ah, al)
    if e > c.e then c.es, c.e = es, e end
    return c.ss
  end
  if s < c.s and not intoNewer then
    addToBucket(c, s, ah, al)
    return ss
  end
  if s <= c.s then
    c.uh, c.ul = uadd(c.uh, c.ul, ah, al)
    if e > c.e then c.es, c.e = es, e end
    return c.ss
  end
  if c.lb > 0 then
    local oldest = s - c.lb * (c.e - c.s)
    local bs, bss, bh, bl = {}, {}, {}, {}
    for k = 1, #c.bs do
      if c.bs[k] >= oldest then
        bs[#bs + 1], bss[#bss + 1], bh[#bh + 1], bl[#bl + 1] = c.bs[k], c.bss[k], c.bh[k], c.bl[k]
      end
    end
    if c.s >= oldest then
      bs[#bs + 1], bss[#bss + 1], bh[#bh + 1], bl[#bl + 1] = c.s, c.ss, c.uh, c.ul
    end
    c.bs, c.bss, c.bh, c.bl = bs, bss, bh, bl
  end
  c.ss, c.s, c.es, c.e, c.uh, c.ul = ss, s, es, e, ah, al
  return ss
end

-- Sets a key's time to live to ttl milliseconds unless it already lives longer; ttl < 0: for ever. pre is
-- the key's PTTL before the write (-2: it did not exist; -1: it lives for ever and stays so).
local function keep(key, pre, ttl)
  if ttl < 0 then
    if pre ~= -1 then redis.call('PERSIST', key) end
  elseif pre == -2 or (pre >= 0 and pre < ttl) then
    redis.call('PEXPIRE', key, ttl)
  end
end
