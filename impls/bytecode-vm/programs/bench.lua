-- bytecode-vm reference (Lua 5.4): programs/bench.asm written directly in Lua, for the
-- `lua5.4` reference row (spec: ../README.md, "What may differ").
-- usage: lua5.4 bench.lua SCALE
-- Same four workloads, same algorithms, same loop nesting and the same six lines as bench.asm;
-- Lua 5.4 integers are 64-bit two's complement and wrap like the VM's add/sub/mul, and `>>` is
-- the VM's ushr. Counted loops are Lua `for` loops (what a Lua programmer writes), the rest are
-- `while` loops. Global memory is one zero-filled table indexed from 0, like the VM's.
-- bench.luajit.lua is the same program for LuaJIT (doubles, 32-bit bit ops, int64 cdata).

local scale = math.tointeger(tonumber(arg[1] or "10"))
local FIB_BASE = 22
local FIB_REPS = scale * 10
local COLLATZ_N = scale * 7500
local SIEVE_N = scale * 400000
local MM_N = 60
local MM_REPS = scale * 3
local NN = MM_N * MM_N
local MEMORY = math.max(SIEVE_N, 3 * NN)

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
print(fibsum)

-- 2. Collatz step counts
local total, max = 0, 0
for x = 1, COLLATZ_N do
  local n, steps = x, 0
  while n ~= 1 do
    if n & 1 ~= 0 then
      n = n * 3 + 1
    else
      n = n >> 1
    end
    steps = steps + 1
  end
  total = total + steps
  if steps > max then
    max = steps
  end
end
print(total)
print(max)

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
print(count)
print(sum)

-- 4. integer matrix multiply (A at 0, B at NN, C at 2*NN)
local checksum = 0
local x = 88172645463325252
for _ = 1, MM_REPS do
  -- fill A and B: x = x*6364136223846793005 + 1442695040888963407; cell = (x ushr 40) - 8388608
  for a = 0, 2 * NN - 1 do
    x = x * 6364136223846793005 + 1442695040888963407
    mem[a] = (x >> 40) - 8388608
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
      checksum = checksum + mem[ii * MM_N + j + 2 * NN] * (ii + 1) * (j * 2 + 1)
    end
  end
end
print(checksum)
