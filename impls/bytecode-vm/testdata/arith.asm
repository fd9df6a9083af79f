; Arithmetic, bitwise, comparison and stack-shuffling ops, one printed result each.
        push 0x7fffffffffffffff
        push 1
        add
        print                   ; -9223372036854775808 (wraps)
        push -9223372036854775807
        push 2
        sub
        print                   ; 9223372036854775807
        push 4294967296
        push 4294967297
        mul
        print                   ; 4294967296 (2^64 + 2^32 wraps to 2^32)
        push -7
        push 2
        div
        print                   ; -3
        push -7
        push 2
        mod
        print                   ; -1
        push 7
        push -2
        mod
        print                   ; 1
        push -9223372036854775807
        push 1
        sub
        push -1
        div
        print                   ; -9223372036854775808 (MIN / -1 wraps)
        push -9223372036854775807
        push 1
        sub
        push -1
        mod
        print                   ; 0
        push -9223372036854775807
        push 1
        sub
        neg
        print                   ; -9223372036854775808
        push 5
        neg
        print                   ; -5
        push 12
        push 10
        and
        print                   ; 8
        push 12
        push 10
        or
        print                   ; 14
        push 12
        push 10
        xor
        print                   ; 6
        push 0
        not
        print                   ; -1
        push 1
        push 65
        shl
        print                   ; 2 (count masked to 1)
        push 1
        push 63
        shl
        print                   ; -9223372036854775808
        push -16
        push 2
        shr
        print                   ; -4
        push -1
        push 60
        ushr
        print                   ; 15
        push -1
        push 2
        lt
        print                   ; 1 (signed)
        push 3
        push 3
        le
        print                   ; 1
        push 3
        push 3
        gt
        print                   ; 0
        push 3
        push 4
        ge
        print                   ; 0
        push 3
        push 4
        eq
        print                   ; 0
        push 3
        push 4
        ne
        print                   ; 1
        push 1
        push 2
        swap
        print                   ; 1
        print                   ; 2
        push 1
        push 2
        over
        print                   ; 1
        print                   ; 2
        print                   ; 1
        push 9
        dup
        mul
        print                   ; 81
        push 1
        push 2
        pop
        print                   ; 1
