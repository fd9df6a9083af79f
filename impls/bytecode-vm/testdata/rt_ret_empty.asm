        call f 0 0
        halt                    ; offset 7
f:
        ret                     ; offset 8: nothing to return
