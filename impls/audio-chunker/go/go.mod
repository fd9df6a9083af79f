module audiochunker

go 1.27
