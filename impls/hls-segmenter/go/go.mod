module hlssegmenter

go 1.27
