#!/usr/bin/env python3
"""Generate sockfile's CJK codec tables from the CPython running this script.

    python3 scripts/gen_cjk_tables.py    # writes src/text/cjk_tables.rs and src/text/cjk.bin

Everything is measured by asking CPython's own codecs (no table files are read), so the
tables are CPython 3.11's by construction:

* every first byte is decoded alone: a character, an illegal byte, or a lead byte;
* every lead byte is decoded with every second byte: a character (or a character pair, or an
  astral character, kept in an exception list), an error of 1 or 2 bytes, or "needs more
  bytes" (EUC-JP 0x8F, GB18030 four-byte sequences, the EUC-KR make-up sequence), which
  `src/text/cjk.rs` handles the way CPython's C code does;
* EUC-JP's JIS X 0212 plane (0x8F b2 b3), the GB18030 four-byte BMP ranges and ISO-2022-JP's
  JIS X 0208 plane are probed the same way;
* encoding: the runtime encodes by inverting the decode tables (first byte sequence wins) plus
  each codec's algorithmic fallback; every BMP scalar (and every astral scalar for big5hkscs)
  is encoded by CPython, and wherever that prediction differs the character goes into a
  correction list.

Rows of the decode tables are stored once in a shared pool of little-endian u16 (cjk.bin);
identical slices are shared between codecs. The exhaustive test
(`src/text/tests/exhaustive.rs`) then compares the result with CPython directly.
"""
import os
import sys

ERR1, ERR2, MORE, EXC, LEAD, ERR3 = 0xD800, 0xD801, 0xD802, 0xD803, 0xD804, 0xD805
CODECS = ["shift_jis", "cp932", "euc_jp", "gbk", "gb2312", "gb18030", "big5",
          "big5hkscs", "cp950", "euc_kr", "cp949"]
ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..")


def classify(codec, data, skip=0):
    """The decode table value for `data` (a lead byte sequence plus one more byte)."""
    try:
        s = data.decode(codec)
    except UnicodeDecodeError as e:
        if e.start != skip:
            raise AssertionError((codec, data, e))
        n = e.end - e.start
        if "incomplete" in e.reason:
            assert n == len(data) - skip, (codec, data, e)
            return MORE, None
        assert "illegal" in e.reason, (codec, data, e)
        return {1: ERR1, 2: ERR2, 3: ERR3}[n], None
    if len(s) == 1 and ord(s) < 0x10000:
        assert not 0xD800 <= ord(s) < 0xE000
        return ord(s), None
    assert len(s) in (1, 2), (codec, data, s)
    return EXC, (ord(s[0]), ord(s[1]) if len(s) == 2 else 0)


class Pool:
    def __init__(self):
        self.data = bytearray()

    def add(self, values):
        blob = b"".join(v.to_bytes(2, "little") for v in values)
        if not blob:
            return 0
        at = self.data.find(blob)
        while at != -1 and at % 2:
            at = self.data.find(blob, at + 1)
        if at == -1:
            at = len(self.data)
            self.data += blob
        return at // 2


def rows_for(codec, leads, prefix=b"", skip=0):
    """Per lead byte: (lo, hi, default, values) and the exceptions found."""
    rows, exc = {}, []
    for b1 in leads:
        vals = []
        for b2 in range(256):
            v, extra = classify(codec, prefix + bytes([b1, b2]), skip)
            if extra:
                exc.append(((b1 << 8) | b2, extra[0], extra[1]))
            vals.append(v)
        # The default is the error outside the range where anything else happens.
        default = max((ERR1, ERR2, ERR3), key=vals.count)
        inside = [i for i, v in enumerate(vals) if v != default]
        lo, hi = (inside[0], inside[-1]) if inside else (1, 0)
        rows[b1] = (lo, hi, default, vals[lo:hi + 1] if inside else [])
    return rows, exc


def inverse(first, rows, ext_rows=None):
    """What the runtime builds: char -> bytes, first byte sequence wins."""
    inv = {}
    for b, v in enumerate(first):
        if v < 0xD800 or v >= 0xE000:
            inv.setdefault(v, bytes([b]))
    for b1 in sorted(rows):
        lo, hi, _, vals = rows[b1]
        for i, v in enumerate(vals):
            if v < 0xD800 or v >= 0xE000:
                inv.setdefault(v, bytes([b1, lo + i]))
    for b2 in sorted(ext_rows or {}):
        lo, hi, _, vals = ext_rows[b2]
        for i, v in enumerate(vals):
            if v < 0xD800 or v >= 0xE000:
                inv.setdefault(v, bytes([0x8F, b2, lo + i]))
    return inv


def gb18030_ranges():
    """(lseq, first char) runs of the four-byte BMP area."""
    runs = []
    for lseq in range(39420):
        c4 = lseq % 10
        c3 = (lseq // 10) % 126
        c2 = (lseq // 1260) % 10
        c1 = lseq // 12600
        data = bytes([c1 + 0x81, c2 + 0x30, c3 + 0x81, c4 + 0x30])
        ch = ord(data.decode("gb18030"))
        if runs and ch - lseq == runs[-1][1] - runs[-1][0]:
            continue
        runs.append((lseq, ch))
    return runs


def gb18030_four(c, runs):
    if c >= 0x10000:
        tc = c - 0x10000
        b = [0x90 + tc // 12600, 0x30 + (tc // 1260) % 10, 0x81 + (tc // 10) % 126, 0x30 + tc % 10]
        return bytes(b)
    best = None
    for i, (lseq, ch) in enumerate(runs):
        end = runs[i + 1][0] if i + 1 < len(runs) else 39420
        if ch <= c < ch + (end - lseq):
            best = lseq + (c - ch)
    if best is None:
        return None
    return bytes([0x81 + best // 12600, 0x30 + (best // 1260) % 10,
                  0x81 + (best // 10) % 126, 0x30 + best % 10])


CHO = [0xa1, 0xa2, 0xa4, 0xa7, 0xa8, 0xa9, 0xb1, 0xb2, 0xb3, 0xb5, 0xb6, 0xb7, 0xb8, 0xb9,
       0xba, 0xbb, 0xbc, 0xbd, 0xbe]
JUNG = list(range(0xbf, 0xd4))
JONG = [0xd4, 0xa1, 0xa2, 0xa3, 0xa4, 0xa5, 0xa6, 0xa7, 0xa9, 0xaa, 0xab, 0xac, 0xad, 0xae,
        0xaf, 0xb0, 0xb1, 0xb2, 0xb4, 0xb5, 0xb6, 0xb7, 0xb8, 0xba, 0xbb, 0xbc, 0xbd, 0xbe]


def makeup(c):
    s = c - 0xAC00
    return bytes([0xa4, 0xd4, 0xa4, CHO[s // 588], 0xa4, JUNG[(s // 28) % 21], 0xa4, JONG[s % 28]])


def encode_chars(codec):
    chars = [u for u in range(0x80, 0x10000) if not 0xD800 <= u < 0xE000]
    if codec == "big5hkscs":
        chars += range(0x20000, 0x30000)
    return chars


def corrections(codec, inv, fallback):
    out = []
    for u in encode_chars(codec):
        try:
            want = chr(u).encode(codec)
        except UnicodeEncodeError:
            want = None
        got = inv.get(u)
        if got is None:
            got = fallback(u)
        if got != want:
            assert want is None or len(want) <= 4, (codec, hex(u), want)
            out.append((u, want))
    return out


def rust_bytes(b):
    if b is None:
        return "(0, [0; 4])"
    padded = list(b) + [0] * (4 - len(b))
    return "(%d, [%s])" % (len(b), ", ".join("0x%02x" % x for x in padded))


def emit_rows(pool, rows):
    entries = []
    for b in range(256):
        if b in rows:
            lo, hi, default, vals = rows[b]
            entries.append("(%d, %d, 0x%04x, %d)" % (lo, hi, default, pool.add(vals)))
        else:
            entries.append("(1, 0, 0xd800, 0)")
    return "&[%s]" % ", ".join(entries)


def main():
    pool = Pool()
    out = ["// @generated by scripts/gen_cjk_tables.py from CPython %s: do not edit.\n" %
           sys.version.split()[0],
           "use super::cjk::{Dbcs, Kind};\n"]
    names = []
    for codec in CODECS:
        first = []
        for b in range(256):
            v, extra = classify(codec, bytes([b]))
            assert extra is None
            first.append(LEAD if v == MORE else v)
        assert first[:0x80] == list(range(0x80)), codec  # cjk.rs decodes ASCII runs directly
        leads = [b for b in range(256) if first[b] == LEAD]
        rows, exc = rows_for(codec, leads)
        ext_rows = None
        kind = "Plain"
        if codec == "euc_jp":
            ext_rows, e2 = rows_for(codec, range(256), prefix=b"\x8f", skip=0)
            ext_rows = {b2: r for b2, r in ext_rows.items()}
            assert not e2
            kind = "EucJp"
        inv = inverse(first, rows, ext_rows)
        for key, a, b in exc:
            if b == 0:
                inv.setdefault(a, bytes([key >> 8, key & 0xFF]))
        fallback = lambda u: None
        ranges = []
        if codec == "gb18030":
            ranges = gb18030_ranges()
            fallback = lambda u: gb18030_four(u, ranges)
            kind = "Gb18030"
        if codec == "euc_kr":
            fallback = lambda u: makeup(u) if 0xAC00 <= u <= 0xD7A3 else None
            kind = "EucKr"
        if codec == "big5hkscs":
            kind = "Big5Hkscs"
        fix = corrections(codec, inv, fallback)
        ident = codec.upper()
        names.append((codec, ident))
        ext = emit_rows(pool, ext_rows) if ext_rows else "&[]"
        out.append(
            "pub static %s: Dbcs = Dbcs {\n    name: \"%s\",\n    kind: Kind::%s,\n"
            "    first: &[%s],\n    rows: %s,\n    ext_rows: %s,\n    exceptions: &[%s],\n"
            "    fixes: &[%s],\n    ranges: &[%s],\n};\n"
            % (ident, codec, kind, ", ".join("0x%04x" % v for v in first), emit_rows(pool, rows),
               ext, ", ".join("(0x%04x, 0x%x, 0x%x)" % e for e in exc),
               ", ".join("(0x%x, %s)" % (u, rust_bytes(b)) for u, b in fix),
               ", ".join("(%d, 0x%x)" % r for r in ranges)))
        print(codec, "rows", len(rows), "exceptions", len(exc), "fixes", len(fix),
              "pool", len(pool.data), file=sys.stderr)
    # ISO-2022-JP: the JIS X 0208 plane as seen after ESC $ B.
    rows, exc = rows_for("iso2022_jp", range(0x21, 0x7F), prefix=b"\x1b$B", skip=3)
    assert not exc
    inv = inverse([ERR1] * 256, rows)
    fix = []
    for u in encode_chars("iso2022_jp"):
        try:
            want = chr(u).encode("iso2022_jp")
        except UnicodeEncodeError:
            want = None
        if want is not None and want.startswith(b"\x1b(J"):
            assert u in (0xA5, 0x203E)
            continue
        if want is not None:
            assert want.startswith(b"\x1b$B") and want.endswith(b"\x1b(B") and len(want) == 8
            want = want[3:5]
        got = inv.get(u)
        if got is not None:
            got = bytes([got[0], got[1]])
        if got != want:
            fix.append((u, want))
    out.append(
        "pub static ISO2022_JP: Dbcs = Dbcs {\n    name: \"iso2022_jp\",\n    kind: Kind::Iso2022Jp,\n"
        "    first: &[0xd800; 256],\n    rows: %s,\n    ext_rows: &[],\n    exceptions: &[],\n"
        "    fixes: &[%s],\n    ranges: &[],\n};\n"
        % (emit_rows(pool, rows), ", ".join("(0x%x, %s)" % (u, rust_bytes(b)) for u, b in fix)))
    print("iso2022_jp fixes", len(fix), "pool", len(pool.data), file=sys.stderr)
    names.append(("iso2022_jp", "ISO2022_JP"))
    out.append("pub static ALL: &[&Dbcs] = &[%s];\n" % ", ".join("&" + i for _, i in names))
    with open(os.path.join(ROOT, "src/text/cjk_tables.rs"), "w") as f:
        f.write("\n".join(out))
    with open(os.path.join(ROOT, "src/text/cjk.bin"), "wb") as f:
        f.write(pool.data)


main()
