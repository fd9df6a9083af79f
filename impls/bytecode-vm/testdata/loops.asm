; A counted loop and a countdown that jumps to the end of the code (an implicit halt).
.locals 2
        push 1
        storel 0
        push 0
        storel 1
loop:
        loadl 1
        loadl 0
        add
        storel 1
        loadl 0
        push 1
        add
        dup
        storel 0
        push 100
        le
        jnz loop
        loadl 1
        print                   ; 5050
        push 3
down:
        dup
        print                   ; 3, 2, 1
        push 1
        sub
        dup
        jz end
        jmp down
end:
