; Output before a fault stays on stdout.
        push 1
        print
        push 5
        push 0
        div                     ; offset 28
        print
