# rai_idlgen(BACKEND <name> IDL <file.idl> [PRELUDE <files...>] OUTPUT_DIR <dir>
#            OUTPUTS <names...> OUT_VAR <variable>)
#
# Runs the IDL generator (tools/idlgen) at build time: reads PRELUDE files, then IDL (and what it
# imports from its folder), and writes OUTPUTS into OUTPUT_DIR in the build tree. Generated files
# start with a DO-NOT-EDIT banner naming their inputs and are never committed. <variable> receives
# the full paths of the outputs, to add to a target (compile them with rai_generated_warnings()).
function(rai_idlgen)
  cmake_parse_arguments(G "" "BACKEND;IDL;OUTPUT_DIR;OUT_VAR" "PRELUDE;OUTPUTS" ${ARGN})
  set(outputs)
  foreach(name ${G_OUTPUTS})
    list(APPEND outputs ${G_OUTPUT_DIR}/${name})
  endforeach()
  set(prelude_args)
  foreach(p ${G_PRELUDE})
    list(APPEND prelude_args --prelude ${p})
  endforeach()
  get_filename_component(idl_dir ${G_IDL} DIRECTORY)
  file(GLOB idl_files CONFIGURE_DEPENDS ${idl_dir}/*.idl)
  add_custom_command(
    OUTPUT ${outputs}
    COMMAND ${CMAKE_COMMAND} -E make_directory ${G_OUTPUT_DIR}
    COMMAND $<TARGET_FILE:idlgen> ${prelude_args} --backend ${G_BACKEND} -o ${G_OUTPUT_DIR} ${G_IDL}
    # idlgen leaves unchanged files alone; mark the outputs as up to date for make/ninja
    COMMAND ${CMAKE_COMMAND} -E touch ${outputs}
    DEPENDS idlgen ${G_IDL} ${G_PRELUDE} ${idl_files}
    COMMENT "idlgen --backend ${G_BACKEND}: ${G_IDL}"
    VERBATIM)
  set(${G_OUT_VAR} ${outputs} PARENT_SCOPE)
endfunction()
