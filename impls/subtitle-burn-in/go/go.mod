module subtitleburnin

go 1.27
