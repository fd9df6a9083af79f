.locals 2
        loadl 1
        print                   ; 0
        loadl 2                 ; offset 3
