#!/usr/bin/env python3
"""Expected values for tests/unit/test_names.c.

An independent implementation of the naming algorithm of the Go operator
(pkg/util/name), written from its description in
/work/shared/reference/multigres-operator-facts.md section 3.1, not from
the C code under test. Run it and paste its output into the vector table
of test_names.c; each row there says it came from here.

    python3 tests/unit/names_vectors.py
"""

LIMITS = {  # kind: (max length, first char may be a digit)
    "DEFAULT": (253, True),
    "SERVICE": (63, False),
    "STATEFULSET": (52, False),
    "POD": (60, False),
}


def fnv1a32(parts):
    h = 0x811C9DC5
    for part in parts:
        for byte in part + b"\x00":
            h = ((h ^ byte) * 0x01000193) & 0xFFFFFFFF
    return "%08x" % h


def go_rune_widths(data):
    """Split bytes the way Go ranges over a string: one rune per valid
    UTF-8 sequence, one per byte of anything invalid."""
    i = 0
    while i < len(data):
        b = data[i]
        width = 1
        if b >= 0x80:
            for n in (4, 3, 2):
                chunk = data[i:i + n]
                if len(chunk) != n:
                    continue
                try:
                    if len(chunk.decode("utf-8", errors="strict")) != 1:
                        continue
                except UnicodeDecodeError:
                    continue
                width = n
                break
        yield data[i:i + width]
        i += width


def transform(part):
    out = []
    for rune in go_rune_widths(part):
        if len(rune) == 1 and (rune.islower() or rune.isdigit()
                               or rune == b"-"):
            out.append(rune.decode())
        elif len(rune) == 1 and rune.isupper():
            out.append(rune.decode().lower())
        else:
            out.append("-")
    return "".join(out)


def join(kind, *parts):
    maxlen, digit_first = LIMITS[kind]
    raw = [p.encode() if isinstance(p, str) else p for p in parts]
    h = fnv1a32(raw)
    mapped = [transform(p) for p in raw]
    first = mapped[0][:1]
    ok = first.isalpha() or (digit_first and first.isdigit())
    if not ok:
        mapped[0] = "x" + mapped[0]
    joined = "-".join(mapped)
    if len(joined) + 1 + len(h) <= maxlen:
        return joined + "-" + h
    cut = len(joined) + 1 + len(h) - maxlen + 2
    return joined[:len(joined) - cut] + "---" + h


def c_string(s):
    if isinstance(s, str):
        s = s.encode()
    out = ""
    for i, b in enumerate(s):
        if 32 <= b < 127 and b not in (34, 92):
            out += chr(b)
        else:
            out += "\\x%02x" % b
            # close the literal so a following hex digit is not read
            # into the escape
            if i + 1 < len(s) and chr(s[i + 1]) in "0123456789abcdefABCDEF":
                out += '""'
    return '"' + out + '"'


VECTORS = [
    # (kind, parts...)
    ("DEFAULT", "hello", "world"),
    ("DEFAULT", "production", "mydb", "default"),
    # the worked example of section 3.2 (cluster minimal, cell zone-a)
    ("DEFAULT", "minimal", "zone-a"),
    ("DEFAULT", "minimal", "postgres", "default"),
    ("DEFAULT", "minimal", "postgres", "default", "0-inf"),
    ("POD", "minimal", "postgres", "default", "0-inf", "pool", "default",
     "zone-a"),
    ("SERVICE", "minimal", "postgres", "default", "0-inf", "pool", "default",
     "zone-a", "headless"),
    ("SERVICE", "minimal", "postgres", "default", "0-inf", "pool", "default",
     "zone-a", "pdb"),
    ("DEFAULT", "minimal", "postgres", "default", "0-inf", "multiorch",
     "zone-a"),
    ("SERVICE", "minimal", "postgres", "default", "0-inf", "multiorch",
     "zone-a"),
    ("SERVICE", "backup-data", "minimal", "postgres", "default", "0-inf"),
    ("DEFAULT", "minimal", "zone-a", "multigateway"),
    ("SERVICE", "minimal", "zone-a", "multigateway"),
    ("STATEFULSET", "minimal-zone-a-96c88ae0", "topo"),
    # the hash of the parts, not of the joined text
    ("DEFAULT", "a-b", "c"),
    ("DEFAULT", "a", "b-c"),
    # mapping: upper case, punctuation, UTF-8 and broken UTF-8
    ("DEFAULT", "Prod_DB", "Zone.A"),
    ("DEFAULT", "caf\u00e9", "\u65e5\u672c"),
    ("DEFAULT", b"a\xe2\x82z", b"\xff"),
    ("DEFAULT", "\U0001F600x", "y"),
    ("DEFAULT", "\u00e9ab", "\ud7ff\ue000"),
    ("DEFAULT", b"s\xed\xa0\x80", b"\xc0\x80\xf4\x90\x80\x80"),
    # first character: digit allowed by DEFAULT only; empty first part
    ("DEFAULT", "0-inf", "x"),
    ("SERVICE", "0-inf", "x"),
    ("SERVICE", "-lead", "x"),
    ("DEFAULT", "", "cell"),
    ("POD", "", ""),
    ("POD", "very-long-cluster-name-01", "inventory-database",
     "orders-tablegroup", "0-inf", "pool", "readwrite-primary",
     "us-east-1a"),
    ("SERVICE", "very-long-cluster-name-01", "inventory-database",
     "orders-tablegroup", "0-inf", "pool", "readwrite-primary",
     "us-east-1a", "headless"),
]

# (kind, char, count, other parts...): the first part is char * count.
# Boundaries: joined + 9 == max fits, max + 1 is cut; then much too long,
# where the cut may leave a '-' just before the mark.
REPEATED = [
    ("SERVICE", "a", 50, "bcd"),           # 54 + 9 = 63
    ("SERVICE", "a", 50, "bcde"),          # 55 + 9 = 64
    ("STATEFULSET", "s", 38, "topo"),      # 43 + 9 = 52
    ("STATEFULSET", "s", 39, "topo"),      # 44 + 9 = 53
    ("POD", "p", 46, "pool"),              # 51 + 9 = 60
    ("POD", "p", 47, "pool"),              # 52 + 9 = 61
    ("DEFAULT", "d", 240, "abc"),          # 244 + 9 = 253
    ("DEFAULT", "d", 240, "abcd"),         # 245 + 9 = 254
    ("SERVICE", "x", 53, "yy", "zzzzzz"),
    ("SERVICE", "a", 51, "bbbbbbbb"),
]

HASHES = [
    # hash of a single part: pooler service ids
    ("minimal-postgres-default-0-inf-pool-default-zone-a-a3a0d77b-0",),
    ("",),
]

if __name__ == "__main__":
    for kind, *parts in VECTORS:
        args = ", ".join(c_string(p) for p in parts)
        print("{ MG_NAME_%s, { %s }, %d,\n  \"%s\" }," %
              (kind, args, len(parts), join(kind, *parts)))
    for kind, ch, count, *rest in REPEATED:
        name = join(kind, ch * count, *rest)
        k = len(name) - len(name.lstrip(ch))
        print("{ MG_NAME_%s, '%s', %d, { %s }, %d,\n  %d, \"%s\" }," %
              (kind, ch, count, ", ".join(c_string(p) for p in rest),
               len(rest), k, name[k:]))
    for (part,) in HASHES:
        print("hash(%s) = %s" % (c_string(part), fnv1a32([part.encode()])))
