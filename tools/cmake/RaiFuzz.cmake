# rai_add_fuzzer(NAME <name> SOURCES <harness.c...> LIBS <targets...>)
#
# Every parser of untrusted bytes has a harness defining LLVMFuzzerTestOneInput(). The harness is
# always built and its corpus, testdata/fuzz/<name>/ (seeds plus every regression found, kept
# forever), is replayed by the ctest test fuzz-replay-<name>:
#  - with RAI_FUZZ=ON (clang) the program is a libFuzzer binary (-fsanitize=fuzzer); ctest runs it
#    on the corpus files, and `fuzz-<name> -max_total_time=600 <corpus-copy>` fuzzes for real;
#  - otherwise it is linked with tools/fuzz/replay.c, a driver that runs each corpus file once.
set(RAI_FUZZ_CORPORA "${PROJECT_SOURCE_DIR}/testdata/fuzz")

# Coverage instrumentation for everything the harnesses link (the libraries), not just the
# harnesses themselves: without it libFuzzer runs blind.
if(RAI_FUZZ)
  add_compile_options(-fsanitize=fuzzer-no-link)
endif()

function(rai_add_fuzzer)
  cmake_parse_arguments(F "" "NAME" "SOURCES;LIBS" ${ARGN})
  set(target fuzz-${F_NAME})
  if(RAI_FUZZ)
    add_executable(${target} ${F_SOURCES})
    target_compile_options(${target} PRIVATE -fsanitize=fuzzer)
    target_link_options(${target} PRIVATE -fsanitize=fuzzer)
    set(runner ${CMAKE_COMMAND} -E env ASAN_OPTIONS=detect_leaks=1 $<TARGET_FILE:${target}> -runs=0)
  else()
    add_executable(${target} ${F_SOURCES} ${PROJECT_SOURCE_DIR}/tools/fuzz/replay.c)
    set(runner $<TARGET_FILE:${target}>)
  endif()
  target_link_libraries(${target} PRIVATE ${F_LIBS})
  rai_warnings(${target})
  set(corpus "${RAI_FUZZ_CORPORA}/${F_NAME}")
  if(NOT IS_DIRECTORY "${corpus}")
    message(FATAL_ERROR "fuzz target ${F_NAME} has no corpus at ${corpus}")
  endif()
  add_test(NAME fuzz-replay-${F_NAME} COMMAND ${runner} "${corpus}")
  set_tests_properties(fuzz-replay-${F_NAME} PROPERTIES LABELS "fuzz")
endfunction()
