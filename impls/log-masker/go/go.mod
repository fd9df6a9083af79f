module logmasker

go 1.27
