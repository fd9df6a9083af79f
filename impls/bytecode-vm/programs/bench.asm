; bytecode-vm benchmark program (spec: ../README.md, "The benchmark program").
; Four workloads, each linear in `scale`; six lines of output:
;   1. fibsum   = sum over r in 0..FIB_REPS-1 of fib(FIB_BASE + r % 4), fib by naive recursion
;   2. ctotal   = sum over x in 1..COLLATZ_N of the Collatz step count of x (steps to reach 1)
;   3. cmax     = the largest of those step counts
;   4. pcount   = number of primes below SIEVE_N (sieve of Eratosthenes in global memory)
;   5. psum     = sum of those primes
;   6. mmsum    = sum over MM_REPS rounds of a weighted checksum of C = A x B (MM_N x MM_N,
;                 A and B filled from a 64-bit LCG), all arithmetic wrapping

.param scale 10
.const FIB_BASE 22
.const FIB_REPS scale*10
.const COLLATZ_N scale*7500
.const SIEVE_N scale*400000
.const MM_N 60
.const MM_REPS scale*3
.const NN MM_N*MM_N
.memory max(SIEVE_N, 3*NN)
.locals 16

; ---------------- 1. recursive fib ----------------
        push 0
        storel 1                ; l1 = fibsum
        push 0
        storel 0                ; l0 = r
fib_loop:
        loadl 0
        push FIB_REPS
        lt
        jz fib_done
        loadl 0
        push 4
        mod
        push FIB_BASE
        add
        call fib 1 1
        loadl 1
        add
        storel 1
        loadl 0
        push 1
        add
        storel 0
        jmp fib_loop
fib_done:
        loadl 1
        print

; ---------------- 2. Collatz step counts ----------------
        push 0
        storel 1                ; l1 = total
        push 0
        storel 2                ; l2 = max
        push 1
        storel 0                ; l0 = x
c_loop:
        loadl 0
        push COLLATZ_N
        gt
        jnz c_done
        loadl 0
        storel 3                ; l3 = n
        push 0
        storel 4                ; l4 = steps
c_inner:
        loadl 3
        push 1
        eq
        jnz c_end
        loadl 3
        push 1
        and
        jz c_even
        loadl 3
        push 3
        mul
        push 1
        add
        storel 3
        jmp c_next
c_even:
        loadl 3
        push 1
        shr
        storel 3
c_next:
        loadl 4
        push 1
        add
        storel 4
        jmp c_inner
c_end:
        loadl 1
        loadl 4
        add
        storel 1
        loadl 4
        loadl 2
        gt
        jz c_nomax
        loadl 4
        storel 2
c_nomax:
        loadl 0
        push 1
        add
        storel 0
        jmp c_loop
c_done:
        loadl 1
        print
        loadl 2
        print

; ---------------- 3. sieve of Eratosthenes (mem[i] = 1: composite) ----------------
        push 2
        storel 0                ; l0 = i
s_outer:
        loadl 0
        loadl 0
        mul
        push SIEVE_N
        lt
        jz s_count
        loadl 0
        loadg
        jnz s_next
        loadl 0
        loadl 0
        mul
        storel 1                ; l1 = j = i*i
s_mark:
        loadl 1
        push SIEVE_N
        lt
        jz s_next
        loadl 1
        push 1
        storeg
        loadl 1
        loadl 0
        add
        storel 1
        jmp s_mark
s_next:
        loadl 0
        push 1
        add
        storel 0
        jmp s_outer
s_count:
        push 0
        storel 1                ; l1 = count
        push 0
        storel 2                ; l2 = sum
        push 2
        storel 0                ; l0 = i
s_cloop:
        loadl 0
        push SIEVE_N
        lt
        jz s_cdone
        loadl 0
        loadg
        jnz s_cnext
        loadl 1
        push 1
        add
        storel 1
        loadl 2
        loadl 0
        add
        storel 2
s_cnext:
        loadl 0
        push 1
        add
        storel 0
        jmp s_cloop
s_cdone:
        loadl 1
        print
        loadl 2
        print

; ---------------- 4. integer matrix multiply (A at 0, B at NN, C at 2*NN) ----------------
        push 0
        storel 10               ; l10 = checksum
        push 88172645463325252
        storel 11               ; l11 = LCG state
        push 0
        storel 12               ; l12 = round
m_round:
        loadl 12
        push MM_REPS
        lt
        jz m_done
        ; fill A and B: x = x*6364136223846793005 + 1442695040888963407; cell = (x ushr 40) - 8388608
        push 0
        storel 0
m_fill:
        loadl 0
        push 2*NN
        lt
        jz m_filled
        loadl 11
        push 6364136223846793005
        mul
        push 1442695040888963407
        add
        dup
        storel 11
        push 40
        ushr
        push 8388608
        sub
        storel 1
        loadl 0
        loadl 1
        storeg
        loadl 0
        push 1
        add
        storel 0
        jmp m_fill
m_filled:
        push 0
        storel 0                ; l0 = i
m_i:
        loadl 0
        push MM_N
        lt
        jz m_mul_done
        push 0
        storel 1                ; l1 = j
m_j:
        loadl 1
        push MM_N
        lt
        jz m_j_done
        push 0
        storel 2                ; l2 = s
        loadl 0
        push MM_N
        mul
        storel 3                ; l3 = ai = i*N (k = 0)
        loadl 3
        push MM_N
        add
        storel 5                ; l5 = end of row i of A
        push NN
        loadl 1
        add
        storel 4                ; l4 = bj = NN + j (k = 0)
m_k:
        loadl 3
        loadl 5
        lt
        jz m_k_done
        loadl 2
        loadl 3
        loadg
        loadl 4
        loadg
        mul
        add
        storel 2
        loadl 3
        push 1
        add
        storel 3
        loadl 4
        push MM_N
        add
        storel 4
        jmp m_k
m_k_done:
        loadl 0
        push MM_N
        mul
        loadl 1
        add
        push 2*NN
        add
        loadl 2
        storeg                  ; C[i][j] = s
        loadl 1
        push 1
        add
        storel 1
        jmp m_j
m_j_done:
        loadl 0
        push 1
        add
        storel 0
        jmp m_i
m_mul_done:
        ; checksum += sum over i, j of C[i][j] * (i + 1) * (2j + 1)
        push 0
        storel 0
m_ci:
        loadl 0
        push MM_N
        lt
        jz m_c_done
        push 0
        storel 1
m_cj:
        loadl 1
        push MM_N
        lt
        jz m_cj_done
        loadl 10
        loadl 0
        push MM_N
        mul
        loadl 1
        add
        push 2*NN
        add
        loadg
        loadl 0
        push 1
        add
        mul
        loadl 1
        push 2
        mul
        push 1
        add
        mul
        add
        storel 10
        loadl 1
        push 1
        add
        storel 1
        jmp m_cj
m_cj_done:
        loadl 0
        push 1
        add
        storel 0
        jmp m_ci
m_c_done:
        loadl 12
        push 1
        add
        storel 12
        jmp m_round
m_done:
        loadl 10
        print
        halt

; fib(n): n < 2 ? n : fib(n - 1) + fib(n - 2)
fib:
        loadl 0
        push 2
        lt
        jz fib_rec
        loadl 0
        ret
fib_rec:
        loadl 0
        push 1
        sub
        call fib 1 1
        loadl 0
        push 2
        sub
        call fib 1 1
        add
        ret
