; A callee cannot pop its caller's values.
        push 1
        push 2
        call f 0 0              ; offset 18
        halt                    ; offset 25
f:
        pop                     ; offset 26
        ret
