; No code at all: valid, halts at once.
