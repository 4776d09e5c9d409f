# End-to-end test of the `rootly` CLI (tests/e2e/test_cli.sh), included by
# tests/CMakeLists.extra.cmake. Needs bash and python3; the tamper check
# also uses the sqlite3 CLI and is skipped without it.
if(TARGET rootly_cli)
  add_test(NAME e2e_cli
    COMMAND bash ${CMAKE_CURRENT_LIST_DIR}/e2e/test_cli.sh
      $<TARGET_FILE:rootly_cli> ${CMAKE_SOURCE_DIR}/tests/fixtures)
  set_tests_properties(e2e_cli PROPERTIES LABELS e2e TIMEOUT 300)

  # With -DROOTLY_VALGRIND=ON, the same script with every CLI run under
  # memcheck: the CLI promises to be leak- and error-free on every path the
  # script takes, failures included.
  if(ROOTLY_VALGRIND AND NOT ROOTLY_SANITIZE)
    find_program(ROOTLY_VALGRIND_EXECUTABLE valgrind)
    if(ROOTLY_VALGRIND_EXECUTABLE)
      add_test(NAME valgrind_e2e_cli
        COMMAND bash ${CMAKE_CURRENT_LIST_DIR}/e2e/test_cli.sh
          $<TARGET_FILE:rootly_cli> ${CMAKE_SOURCE_DIR}/tests/fixtures)
      set_tests_properties(valgrind_e2e_cli PROPERTIES LABELS valgrind TIMEOUT 1200
        ENVIRONMENT "ROOTLY_CLI_WRAPPER=${ROOTLY_VALGRIND_EXECUTABLE} -q --error-exitcode=99 --leak-check=full --show-leak-kinds=definite --errors-for-leak-kinds=definite")
    endif()
  endif()
endif()
