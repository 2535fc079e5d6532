#!/usr/bin/env python3
"""Digests of CPython's codec behaviour, compared by `src/text/exhaustive.rs`.

For each codec named on the command line (or every codec the Rust side lists), prints
    <codec> <handler> decode <sha256>
    <codec> <handler> encode <sha256>
where decode covers every 1- and 2-byte input and encode every BMP scalar value plus astral
samples, each result serialised as in the Rust test (a failure is a marker, not a message).
--handlers h1,h2 and --kinds decode,encode narrow what is computed (default: strict and
replace, both kinds). With --dump CODEC HANDLER KIND it prints every result instead, for
locating a difference.
"""
import hashlib
import struct
import sys

ASTRAL = [0x10000, 0x1F600, 0x20000, 0x10FFFF, 0xE0001]


def decode_inputs():
    for a in range(256):
        yield bytes([a])
    for a in range(256):
        for b in range(256):
            yield bytes([a, b])


def encode_inputs():
    for u in range(0x10000):
        if 0xD800 <= u < 0xE000:
            continue
        yield chr(u)
    for u in ASTRAL:
        yield chr(u)


def decode_results(codec, handler):
    for data in decode_inputs():
        try:
            yield data, data.decode(codec, handler).encode("utf-8") + b"\xfe"
        except UnicodeDecodeError:
            yield data, b"\xff\xfe"


def encode_results(codec, handler):
    for ch in encode_inputs():
        try:
            out = ch.encode(codec, handler)
            yield ch, struct.pack("<I", len(out)) + out
        except UnicodeEncodeError:
            yield ch, struct.pack("<I", 0xFFFFFFFF)


def main():
    args = sys.argv[1:]
    if args and args[0] == "--dump":
        codec, handler, kind = args[1:4]
        results = decode_results if kind == "decode" else encode_results
        for inp, out in results(codec, handler):
            print(repr(inp), out.hex())
        return
    handlers, kinds = ["strict", "replace"], ["decode", "encode"]
    while args and args[0].startswith("--"):
        if args[0] == "--handlers":
            handlers = args[1].split(",")
        elif args[0] == "--kinds":
            kinds = args[1].split(",")
        args = args[2:]
    funcs = {"decode": decode_results, "encode": encode_results}
    for codec in args:
        for handler in handlers:
            for kind in kinds:
                h = hashlib.sha256()
                for _, out in funcs[kind](codec, handler):
                    h.update(out)
                print(codec, handler, kind, h.hexdigest(), flush=True)


main()
