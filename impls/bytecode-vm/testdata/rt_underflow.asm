        push 1
        add                     ; offset 9
