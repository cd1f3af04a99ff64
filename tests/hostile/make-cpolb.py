#!/usr/bin/env python3
"""make-cpolb.py - write the forged .cpolb modules of tests/hostile/cpolb.

    python3 tests/hostile/make-cpolb.py

The format is bc_save's (include/bc.h): magic, format 2, files, constants,
policies, blocks. Each module verifies (bc_verify) but is made to be costly:
records-loop.cpolb  a loop that records `exclude "x"` without end: the
                    recorded statements hold memory outside the arena
shared-const.cpolb  a constant pool where list k is [k-1, k-1], 40 deep, and
                    a policy that prints string() of the last: disasm printed
                    2^40 elements, eval converted them
"""
import os, struct

HERE = os.path.join(os.path.dirname(os.path.abspath(__file__)), "cpolb")
OP = {n: i for i, n in enumerate(
    "NOP PUSHK PUSHNULL PUSHTRUE PUSHFALSE INPUT SELECTED LOAD STORE POP FIELD INFIELD INDEX MKLIST NEWLIST "
    "APPEND ADD SUB MUL DIV MOD EQ NE EQK NEK LT LE GT GE IN NOTIN NOT NEG BOOL CALL JMP JF JT JNN JFK JTK "
    "FORPREP FORNEXT ITER ANYEQK RET HALT INCLUDE INCLUDEV BASE BASEV EXCLUDE PLATFORM FROM CFG CFGKV CFGKEY "
    "FILE DENY WARN ADMIT".split())}
BC_CFG_LABEL = 6


def u32(v):
    return struct.pack("<I", v)


def sstr(b):
    return u32(len(b)) + b


def word(op, a=0):
    return OP[op] | (a << 8)


def module(consts, code):
    out = b"\x7fCPOLB\r\n" + u32(2)
    out += u32(1) + sstr(b"forged.cpol") + sstr(b"")
    out += u32(len(consts)) + b"".join(consts)
    out += u32(1) + sstr(b"p") + u32(0)
    out += u32(1) + bytes([0]) + u32(0) + u32(0) + u32(len(code))
    out += b"".join(u32(w) for w in code)
    out += b"".join(u32(0) + u32(i + 1) + u32(1) for i in range(len(code)))
    return out


def kstr(b):
    return bytes([3]) + sstr(b)


def klist(items):
    return bytes([5]) + u32(len(items)) + b"".join(u32(i) for i in items)


os.makedirs(HERE, exist_ok=True)
# 0: PUSHK "x"; 1: EXCLUDE; 2: JMP 0
open(os.path.join(HERE, "records-loop.cpolb"), "wb").write(
    module([kstr(b"x")], [word("PUSHK", 0), word("EXCLUDE"), word("JMP", 0)]))
# consts: 0 "l", 1 [0] (a list of the string), 2.. [k-1, k-1]
consts = [kstr(b"l"), klist([0])] + [klist([k - 1, k - 1]) for k in range(2, 42)]
BI_STRING = 13
code = [word("PUSHK", 0), word("PUSHK", len(consts) - 1), word("CALL", BI_STRING), word("CFGKV", BC_CFG_LABEL),
        word("HALT")]
open(os.path.join(HERE, "shared-const.cpolb"), "wb").write(module(consts, code))
