# rai_add_unit_test(NAME <test> SOURCES <files...> LIBS <targets...> [LABELS <labels...>])
# One GLib g_test program per module, registered with ctest under its own name.
function(rai_add_unit_test)
  cmake_parse_arguments(T "" "NAME" "SOURCES;LIBS;LABELS" ${ARGN})
  add_executable(${T_NAME} ${T_SOURCES})
  target_link_libraries(${T_NAME} PRIVATE ${T_LIBS})
  rai_warnings(${T_NAME})
  add_test(NAME ${T_NAME} COMMAND ${T_NAME} --tap)
  set_tests_properties(${T_NAME} PROPERTIES
    LABELS "unit;${T_LABELS}"
    ENVIRONMENT "G_DEBUG=fatal-criticals;RAI_TESTDATA=${PROJECT_SOURCE_DIR}/testdata;RAI_VECTORS=${PROJECT_SOURCE_DIR}/testdata/vectors")
endfunction()
