; 255 locals per frame: the locals storage (65536) runs out before the frame limit.
.locals 1
        push 0
        storel 0
f:
        call f 0 255            ; offset 11
