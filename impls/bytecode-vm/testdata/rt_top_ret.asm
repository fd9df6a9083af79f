        push 1
        ret                     ; offset 9
