"""Writes libFuzzer dictionary entries: one quoted token a line, with `"`, `\\` and every byte outside printable
ASCII as \\xNN (the only escapes libFuzzer reads). Tokens come from the arguments after --tokens, written with
Python's byte escapes (\\x00, \\n, \\\\: a shell argument cannot hold a NUL byte), else one a line on standard input."""
import os
import sys


def entry(token: bytes) -> str:
    return '"' + "".join(chr(b) if 0x20 <= b < 0x7F and b not in (0x22, 0x5C) else f"\\x{b:02x}" for b in token) + '"'


if sys.argv[1:2] == ["--tokens"]:
    tokens = [os.fsencode(argument).decode("unicode_escape").encode("latin-1") for argument in sys.argv[2:]]
else:
    tokens = [line for line in sys.stdin.buffer.read().split(b"\n") if line]
for token in tokens:
    print(entry(token))
