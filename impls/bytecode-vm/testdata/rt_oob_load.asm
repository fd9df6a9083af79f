.memory 4
        push -1
        loadg                   ; offset 9
