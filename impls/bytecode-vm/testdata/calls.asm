; Calls: recursion, argument order, zeroed extra locals, ret discarding leftovers, nesting.
.locals 1
        push 20
        call fact 1 1
        print                   ; 2432902008176640000
        push 100
        push 20
        push 3
        call args3 3 5
        print                   ; 100 - 20*3 + 0 + 0 = 40
        push 7                  ; stays on the caller's stack across the call
        call leftovers 0 0
        print                   ; 42
        print                   ; 7
        push 5
        call twice_sq 1 1
        print                   ; (5*5)*2 = 50
        halt

fact:                           ; fact(n) = n < 2 ? 1 : n * fact(n - 1)
        loadl 0
        push 2
        lt
        jz fact_rec
        push 1
        ret
fact_rec:
        loadl 0
        loadl 0
        push 1
        sub
        call fact 1 1
        mul
        ret

args3:                          ; l0 - l1*l2 + l3 + l4 (l3, l4 are fresh zeros)
        loadl 0
        loadl 1
        loadl 2
        mul
        sub
        loadl 3
        add
        loadl 4
        add
        push 99
        storel 3                ; dirty a local; the next call must see zeros again
        ret

leftovers:                      ; leaves junk under the return value
        push 1
        push 2
        push 42
        ret

sq:
        loadl 0
        dup
        mul
        ret

twice_sq:
        loadl 0
        call sq 1 1
        push 2
        mul
        ret
