.memory 4
        push 3
        push 7
        storeg
        push 3
        loadg
        print                   ; 7
        push 4
        push 1
        storeg                  ; offset 48
