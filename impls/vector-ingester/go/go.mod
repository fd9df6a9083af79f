module vectoringester

go 1.27
