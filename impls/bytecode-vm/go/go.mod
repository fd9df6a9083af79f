module bytecodevm

go 1.27
