# `rootly config check` end to end (tests/e2e/test_config_check.sh),
# included by tests/CMakeLists.extra.cmake. Needs bash only.
if(TARGET rootly_cli)
  add_test(NAME e2e_config_check
    COMMAND bash ${CMAKE_CURRENT_LIST_DIR}/e2e/test_config_check.sh
      $<TARGET_FILE:rootly_cli> ${CMAKE_CURRENT_LIST_DIR}/fixtures/config)
  set_tests_properties(e2e_config_check PROPERTIES LABELS e2e TIMEOUT 120)

  # Under -DROOTLY_VALGRIND=ON the same checks with every run under memcheck.
  if(ROOTLY_VALGRIND AND NOT ROOTLY_SANITIZE)
    find_program(ROOTLY_VALGRIND_EXECUTABLE valgrind)
    if(ROOTLY_VALGRIND_EXECUTABLE)
      add_test(NAME valgrind_e2e_config_check
        COMMAND bash ${CMAKE_CURRENT_LIST_DIR}/e2e/test_config_check.sh
          $<TARGET_FILE:rootly_cli> ${CMAKE_CURRENT_LIST_DIR}/fixtures/config)
      set_tests_properties(valgrind_e2e_config_check PROPERTIES LABELS valgrind TIMEOUT 600
        ENVIRONMENT "ROOTLY_CLI_WRAPPER=${ROOTLY_VALGRIND_EXECUTABLE} -q --error-exitcode=99 --leak-check=full --show-leak-kinds=definite --errors-for-leak-kinds=definite")
    endif()
  endif()
endif()
