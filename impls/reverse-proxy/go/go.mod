module reverseproxy

go 1.27
