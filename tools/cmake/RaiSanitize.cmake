# -DRAI_SANITIZE=ON instruments the whole build with ASan and UBSan (UBSan errors are fatal).
if(RAI_SANITIZE)
  set(RAI_SAN_FLAGS -fsanitize=address,undefined -fno-sanitize-recover=undefined -fno-omit-frame-pointer)
  add_compile_options(${RAI_SAN_FLAGS})
  add_link_options(${RAI_SAN_FLAGS})
endif()

# The compiler-runtime path of ASan, for LD_PRELOAD into programs not built with it (tshark).
execute_process(COMMAND ${CMAKE_C_COMPILER} -print-file-name=libasan.so
  OUTPUT_VARIABLE RAI_LIBASAN OUTPUT_STRIP_TRAILING_WHITESPACE)
