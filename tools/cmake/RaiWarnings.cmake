# Warnings for hand-written code: everything reasonable, as errors. Generated code gets
# rai_generated_warnings() instead (warnings shown, never fatal: the generator is tested, and a
# new compiler warning in its output must not break a user's build).
set(RAI_WARNINGS
  -Wall -Wextra -Werror
  -Wshadow -Wstrict-prototypes -Wmissing-prototypes -Wpointer-arith -Wcast-qual
  -Wformat=2 -Wundef -Wvla -Wwrite-strings -Wno-unused-parameter)

function(rai_warnings target)
  target_compile_options(${target} PRIVATE ${RAI_WARNINGS})
endfunction()

function(rai_generated_warnings target)
  target_compile_options(${target} PRIVATE -Wall -Wno-unused-parameter -Wno-unused-function)
endfunction()
