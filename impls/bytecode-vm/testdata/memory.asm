; Global memory: fill cells with squares, then sum them back; last cell, cell 0.
.memory 100
        push 0
        storel 0
.locals 2
fill:
        loadl 0
        push 100
        lt
        jz filled
        loadl 0
        loadl 0
        dup
        mul
        storeg                  ; mem[i] = i*i
        loadl 0
        push 1
        add
        storel 0
        jmp fill
filled:
        push 0
        storel 1
        push 0
        storel 0
sum:
        loadl 0
        push 100
        lt
        jz summed
        loadl 1
        loadl 0
        loadg
        add
        storel 1
        loadl 0
        push 1
        add
        storel 0
        jmp sum
summed:
        loadl 1
        print                   ; 328350
        push 99
        loadg
        print                   ; 9801
        push 0
        loadg
        print                   ; 0
