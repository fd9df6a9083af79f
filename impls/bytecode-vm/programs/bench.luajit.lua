-- bytecode-vm reference (LuaJIT): bench.lua, the direct Lua translation of programs/bench.asm,
-- written for LuaJIT 2.1, for the `luajit -joff` and `luajit` reference rows (spec: ../README.md,
-- "What may differ"). usage: luajit [-joff] bench.luajit.lua SCALE
-- LuaJIT numbers are doubles and its bit library works on 32 bits, so, as a LuaJIT programmer
-- would, this file differs from bench.lua only where 64-bit integers matter:
-- - Collatz uses n % 2 and n / 2 (the values stay below 2^35, exact in a double; bit.rshift
--   would cut them to 32 bits);
-- - the LCG state is a uint64_t cdata (wrapping multiply, logical bit.rshift on 64 bits) and
--   the checksum an int64_t cdata (wrapping add and multiply); the matrix cells, the products
--   and the sums of one C cell stay plain numbers: |cell| <= 2^23, so |s| <= 60 * 2^46 < 2^53,
--   exact in a double;
-- - the numbers are printed with %d (LuaJIT's print writes 15-digit numbers as 1.2e+14).
-- Everything else (workloads, algorithms, loop nesting, the zero-filled memory table indexed
-- from 0) is bench.lua line for line.

local scale = tonumber(arg[1] or "10")
local FIB_BASE = 22
local FIB_REPS = scale * 10
local COLLATZ_N = scale * 7500
local SIEVE_N = scale * 400000
local MM_N = 60
local MM_REPS = scale * 3
local NN = MM_N * MM_N
local MEMORY = math.max(SIEVE_N, 3 * NN)

local function out(v)
  io.write(string.format("%d\n", v))
end

local mem = {}
for a = 0, MEMORY - 1 do
  mem[a] = 0
end

-- 1. recursive fib
local function fib(n)
  if n < 2 then
    return n
  end
  return fib(n - 1) + fib(n - 2)
end

local fibsum = 0
for r = 0, FIB_REPS - 1 do
  fibsum = fib(r % 4 + FIB_BASE) + fibsum
end
out(fibsum)

-- 2. Collatz step counts
local total, max = 0, 0
for x = 1, COLLATZ_N do
  local n, steps = x, 0
  while n ~= 1 do
    if n % 2 ~= 0 then
      n = n * 3 + 1
    else
      n = n / 2
    end
    steps = steps + 1
  end
  total = total + steps
  if steps > max then
    max = steps
  end
end
out(total)
out(max)

-- 3. sieve of Eratosthenes (mem[i] = 1: composite)
local i = 2
while i * i < SIEVE_N do
  if mem[i] == 0 then
    for j = i * i, SIEVE_N - 1, i do
      mem[j] = 1
    end
  end
  i = i + 1
end
local count, sum = 0, 0
for p = 2, SIEVE_N - 1 do
  if mem[p] == 0 then
    count = count + 1
    sum = sum + p
  end
end
out(count)
out(sum)

-- 4. integer matrix multiply (A at 0, B at NN, C at 2*NN)
local checksum = 0LL
local x = 88172645463325252ULL
for _ = 1, MM_REPS do
  -- fill A and B: x = x*6364136223846793005 + 1442695040888963407; cell = (x ushr 40) - 8388608
  for a = 0, 2 * NN - 1 do
    x = x * 6364136223846793005ULL + 1442695040888963407ULL
    mem[a] = tonumber(bit.rshift(x, 40)) - 8388608
  end
  for ii = 0, MM_N - 1 do
    for j = 0, MM_N - 1 do
      local s = 0
      local ai = ii * MM_N
      local aend = ai + MM_N
      local bj = NN + j
      while ai < aend do
        s = s + mem[ai] * mem[bj]
        ai = ai + 1
        bj = bj + MM_N
      end
      mem[ii * MM_N + j + 2 * NN] = s
    end
  end
  -- checksum += sum over i, j of C[i][j] * (i + 1) * (2j + 1)
  for ii = 0, MM_N - 1 do
    for j = 0, MM_N - 1 do
      checksum = checksum + (mem[ii * MM_N + j + 2 * NN] + 0LL) * (ii + 1) * (j * 2 + 1)
    end
  end
end
out(checksum)
