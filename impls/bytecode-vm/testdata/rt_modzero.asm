        push 5
        push 0
        mod                     ; offset 18
