/* opcode_list.h - every VM instruction, defined once (jq style).
 *
 * Include with OP(NAME, KIND, IN, OUT, EFFECT) defined; the list generates
 * the opcode enum (bc.h), the name and operand tables, the verifier's stack
 * effects and the disassembler. IN/OUT are the values popped and pushed on
 * the fall-through path; -1 means "given by the operand" (MKLIST pops A
 * values, MKREC 2A, CALL pops the builtin's arity).
 *
 * Encoding. Code is an array of 32-bit little-endian words. An instruction
 * is one word, or two when its operand kind is SJ:
 *
 *     31                               8 7            0
 *    +----------------------------------+--------------+
 *    |             A (24 bits)          |   OP (8)     |   word 0
 *    +----------------------------------+--------------+
 *    |             B (32 bits)                         |   word 1 (SJ only)
 *    +-------------------------------------------------+
 *
 * Operand kinds:
 *   NONE  A is 0
 *   K     A indexes the constant pool
 *   J     A is an absolute word index in the same block (a jump target)
 *   S     A is a local slot of the running block
 *   N     A is a small number (a count, a comparison operator, a mode, a
 *         config key)
 *   F     A is a builtin id (enum builtin, value.h)
 *   C     A is a block index: a deny/warn/admit closure
 *   SJ    A is a slot, B a jump target
 *
 * Blocks are policy bodies (run at selection), check conditions (deny/warn,
 * run after resolution) and admit filters (run on each candidate). A check
 * or admit block starts with its captured values in slots 0..ncaptures-1
 * and, for admit, the candidate record in slot ncaptures.
 *
 * The order of this list is the .cpolb file format. An opcode's number is
 * its position here, and that number is what a compiled module stores, so:
 *
 *  - Never reorder, remove or reuse an entry, and never change an
 *    opcode's operand kind, stack effect or meaning, without bumping
 *    BC_FORMAT (bc.h): modules of the old format are then refused by
 *    version instead of being run with the wrong meaning.
 *  - The statement opcodes (INCLUDE .. MARK) stay last: the verifier
 *    tells a statement by its number (is_statement in bc_verify.c, with a
 *    static assertion that fails to compile if this stops being true). A
 *    new statement opcode is appended at the end (old modules keep their
 *    numbers; add it to that assertion). A new expression or control
 *    opcode goes before INCLUDE, which renumbers the statements, so it
 *    bumps BC_FORMAT.
 *  - The operand encodings are the format too: enum bc_cmp and enum
 *    bc_cfg (bc.h), enum builtin (the F operand, value.h) and enum
 *    val_type (constant tags, value.h) are append-only likewise.
 *
 * tests/golden/cpolb/opcodes.cpolb, a module committed as bytes, is loaded
 * and run by check_bc and compared with what bc_save writes today, so a
 * renumbering fails a test. bc_print_opcodes prints this table.
 */

/* stack and locals */
OP(NOP, NONE, 0, 0, "do nothing")
OP(PUSHK, K, 0, 1, "push K[A]")
OP(PUSHNULL, NONE, 0, 1, "push null")
OP(PUSHTRUE, NONE, 0, 1, "push true")
OP(PUSHFALSE, NONE, 0, 1, "push false")
OP(INPUT, NONE, 0, 1, "push the request record")
OP(SELECTED, NONE, 0, 1, "push the list of selected primitive records (checks only)")
OP(LOAD, S, 0, 1, "push local A")
OP(STORE, S, 1, 0, "pop into local A")
OP(POP, NONE, 1, 0, "discard the top")

/* values */
OP(FIELD, K, 1, 1, "x := x.K[A] (a field of null or a missing field is null)")
OP(INFIELD, K, 0, 1, "push input.K[A] (INPUT; FIELD)")
OP(INDEX, NONE, 2, 1, "x, i := x[i]")
OP(MKLIST, N, -1, 1, "pop A values, push the list of them")
OP(NEWLIST, NONE, 0, 1, "push an empty list")
OP(APPEND, NONE, 2, 1, "l, v := l + [v]")
OP(ADD, NONE, 2, 1, "a, b := a + b (ints, strings, lists)")
OP(SUB, NONE, 2, 1, "a, b := a - b")
OP(MUL, NONE, 2, 1, "a, b := a * b")
OP(DIV, NONE, 2, 1, "a, b := a / b (truncating)")
OP(MOD, NONE, 2, 1, "a, b := a % b")
OP(EQ, NONE, 2, 1, "a, b := a == b (structural)")
OP(NE, NONE, 2, 1, "a, b := a != b")
OP(EQK, K, 1, 1, "a := a == K[A] (PUSHK; EQ)")
OP(NEK, K, 1, 1, "a := a != K[A] (PUSHK; NE)")
OP(LT, NONE, 2, 1, "a, b := a < b (false when either is null)")
OP(LE, NONE, 2, 1, "a, b := a <= b")
OP(GT, NONE, 2, 1, "a, b := a > b")
OP(GE, NONE, 2, 1, "a, b := a >= b")
OP(IN, NONE, 2, 1, "x, c := x in c (list member or record key)")
OP(NOTIN, NONE, 2, 1, "x, c := x not in c")
OP(NOT, NONE, 1, 1, "b := !b (bool)")
OP(NEG, NONE, 1, 1, "i := -i (int)")
OP(BOOL, NONE, 1, 1, "fail unless the top is a bool")
OP(CALL, F, -1, 1, "pop the arguments of builtin A, push its result")

/* control */
OP(JMP, J, 0, 0, "jump to A")
OP(JF, J, 1, 0, "pop a bool; jump to A if false")
OP(JT, J, 1, 0, "pop a bool; jump to A if true")
OP(JNN, J, 1, 0, "if the top is not null jump to A keeping it, else pop it")
OP(JFK, J, 1, 0, "top must be a bool: if false jump to A keeping it, else pop it (&&)")
OP(JTK, J, 1, 0, "top must be a bool: if true jump to A keeping it, else pop it (||)")
OP(FORPREP, S, 1, 0, "pop a list; local A := it, local A+1 := 0")
OP(FORNEXT, SJ, 0, 0, "if local A+1 < len(local A): local A+2 := next item, else jump to B")
OP(ITER, NONE, 1, 1, "fail unless the top is a list (FORPREP's check, before ANYEQK)")
OP(ANYEQK, K, 1, 1,
   "l := some item of list l == K[A] (any x in l : x == K[A]); each other item is a loop step")
OP(RET, NONE, 1, 0, "return the top (check and admit blocks)")
OP(HALT, NONE, 0, 0, "end of a policy block")

/* added in format 3 */
OP(MKREC, N, -1, 1, "pop A keys and values (k1, v1, ... kA, vA), push the record of them")

/* statements (policy blocks only): they stay last, see above */
OP(INCLUDE, NONE, 1, 0, "name: request primitive name")
OP(INCLUDEV, N, 2, 0, "name, v: request name with constraint (comparison A) v")
OP(BASE, NONE, 1, 0, "name: base primitive name")
OP(BASEV, N, 2, 0, "name, v: base primitive name with constraint (comparison A) v")
OP(EXCLUDE, NONE, 1, 0, "name: exclude primitive name")
OP(PLATFORM, NONE, 1, 0, "s: set the platform")
OP(FROM, NONE, 1, 0, "s: start from an image layout")
OP(CFG, N, 1, 0, "v: set config key A (entrypoint cmd user workdir stopsignal)")
OP(CFGKV, N, 2, 0, "k, v: set k of config map A (env label annotation)")
OP(CFGKEY, N, 1, 0, "k: add k to config set A (expose volume)")
OP(FILE, N, 2, 0, "path, data: generated file with mode A")
OP(DENY, C, 1, 0, "msg: record deny closure of block A")
OP(WARN, C, 1, 0, "msg: record warn closure of block A")
OP(ADMIT, C, 0, 0, "record admit filter closure of block A")
OP(DENYM, C, 1, 0,
   "text: record deny closure of block A, which returns its message or null (text: shown while pending)")
OP(WARNM, C, 1, 0, "text: record warn closure of block A, which returns its message or null")
OP(GROUP, NONE, 2, 0, "name, gid: declare group name")
OP(ACCOUNT, NONE, 6, 0, "name, uid, gid, comment, home, shell: declare a user (null: the default)")
OP(DIRECTORY, N, 2, 0, "path, owner: a directory with mode A, owned by owner (null: root)")
OP(MARK, NONE, 0, 0,
   "coverage: the statement at this location is reached (emitted for cpolc test --coverage only)")
