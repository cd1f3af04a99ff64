/* opcode_list.h - not yet written. */
