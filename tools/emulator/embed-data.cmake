# Turns data/default.json into a C string, so the emulator runs the demo
# business from wherever it is installed. -DIN=<json> -DOUT=<c file>.
file(READ ${IN} hex HEX)
string(LENGTH "${hex}" hexlen)
math(EXPR size "${hexlen} / 2")
string(REGEX REPLACE "([0-9a-f][0-9a-f])" "0x\\1," bytes "${hex}")
file(WRITE ${OUT}.tmp "/* Generated from tools/emulator/data/default.json. */\n#include <stddef.h>\n"
  "const char emu_default_data[] = {${bytes}0};\nconst size_t emu_default_data_len = ${size};\n")
execute_process(COMMAND ${CMAKE_COMMAND} -E copy_if_different ${OUT}.tmp ${OUT})
