# End-to-end test of the `rootly` CLI (tests/e2e/test_cli.sh), included by
# tests/CMakeLists.extra.cmake. Needs bash and python3; the tamper check
# also uses the sqlite3 CLI and is skipped without it.
if(TARGET rootly_cli)
  add_test(NAME e2e_cli
    COMMAND bash ${CMAKE_CURRENT_LIST_DIR}/e2e/test_cli.sh
      $<TARGET_FILE:rootly_cli> ${CMAKE_SOURCE_DIR}/tests/fixtures)
  set_tests_properties(e2e_cli PROPERTIES LABELS e2e TIMEOUT 300)
endif()
