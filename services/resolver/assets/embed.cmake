# Build step: writes the bytes of INPUT as a C initializer list ("0x2f,0x2f,...") to OUTPUT, for
# #include inside a char array (services/resolver/assets.cc). Run as
#   cmake -DINPUT=file -DOUTPUT=file.inc -P embed.cmake
file(READ "${INPUT}" hex HEX)
get_filename_component(name "${INPUT}" NAME)
string(REGEX REPLACE "([0-9a-f][0-9a-f])" "0x\\1," bytes "${hex}")
string(REGEX REPLACE "(0x..,0x..,0x..,0x..,0x..,0x..,0x..,0x..,0x..,0x..,0x..,0x..,0x..,0x..,0x..,0x..,)" "\\1\n" bytes "${bytes}")
file(WRITE "${OUTPUT}.tmp" "// Generated from ${name} by embed.cmake; do not edit.\n${bytes}\n")
file(COPY_FILE "${OUTPUT}.tmp" "${OUTPUT}" ONLY_IF_DIFFERENT)
file(REMOVE "${OUTPUT}.tmp")
