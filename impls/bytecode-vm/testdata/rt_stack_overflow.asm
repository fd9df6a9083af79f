loop:
        push 1                  ; offset 0
        jmp loop
