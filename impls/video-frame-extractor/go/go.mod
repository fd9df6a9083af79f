module videoframeextractor

go 1.27
