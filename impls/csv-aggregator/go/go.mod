module csvaggregator

go 1.27
