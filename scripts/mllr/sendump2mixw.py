#!/usr/bin/python3
"""Writes a SphinxTrain mixture_weights file from a PocketSphinx sendump.

Debian's en-us model ships only the quantised sendump, but SphinxTrain's bw needs the
mixture weights. In a sendump each weight is a byte: -log(p) in base 1.0001, shifted right
by 10 bits. Usage: sendump2mixw.py SENDUMP MIXTURE_WEIGHTS
"""
import struct
import sys

import numpy


def read_sendump(path):
    with open(path, "rb") as f:
        data = f.read()
    off = 0
    n = struct.unpack_from("<i", data, off)[0]
    order = "<" if 0 < n < 1000 else ">"
    n_feat = 1
    while True:
        (n,) = struct.unpack_from(order + "i", data, off)
        off += 4
        if n == 0:
            break
        if n < 0 or off + n > len(data):
            raise ValueError("malformed sendump header")
        line = data[off:off + n].rstrip(b"\0").decode("ascii", "replace")
        off += n
        if line.startswith("feature_count "):
            n_feat = int(line.split()[1])
        if line.startswith("cluster_count ") and int(line.split()[1]) != 0:
            raise ValueError("clustered sendump files are not supported")
    n_gau, n_sen = struct.unpack_from(order + "ii", data, off)
    off += 8
    size = n_feat * n_gau * n_sen
    if off + size > len(data):
        raise ValueError("sendump shorter than its %d x %d x %d weights" % (n_feat, n_gau, n_sen))
    q = numpy.frombuffer(data, dtype=numpy.uint8, count=size, offset=off)
    q = q.reshape(n_feat, n_gau, n_sen).astype(numpy.float64)
    # Weight = 1.0001 ** -(byte << 10); then [senone][feature][density], each row summing to 1.
    w = numpy.exp(-q * 1024.0 * numpy.log(1.0001)).transpose(2, 0, 1)
    w /= w.sum(axis=2, keepdims=True)
    return w.astype(numpy.float32)


def write_mixw(path, w):
    n_sen, n_feat, n_gau = w.shape
    with open(path, "wb") as f:
        f.write(b"s3\nversion 1.0\nendhdr\n")
        f.write(struct.pack("<I", 0x11223344))
        f.write(struct.pack("<iiii", n_sen, n_feat, n_gau, w.size))
        f.write(numpy.ascontiguousarray(w, dtype="<f4").tobytes())


def main():
    if len(sys.argv) != 3:
        sys.exit("usage: sendump2mixw.py SENDUMP MIXTURE_WEIGHTS")
    try:
        w = read_sendump(sys.argv[1])
    except (OSError, ValueError, struct.error) as e:
        sys.exit("sendump2mixw: %s: %s" % (sys.argv[1], e))
    write_mixw(sys.argv[2], w)


if __name__ == "__main__":
    main()
