; Infinite recursion: the 4097th call fails.
f:
        call f 0 0              ; offset 0
