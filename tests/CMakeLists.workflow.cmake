# Workflow engine tests besides the auto-registered cmocka suites
# (tests/unit/test_workflow_*.c, test_config_*.c, test_template_*.c):
# the seed scenario end to end through the CLI (bash + python3).
if(TARGET rootly_cli)
  add_test(NAME e2e_seed_workflow
    COMMAND bash ${CMAKE_CURRENT_LIST_DIR}/e2e/test_seed_workflow.sh
      $<TARGET_FILE:rootly_cli> ${CMAKE_SOURCE_DIR}/tests/fixtures)
  set_tests_properties(e2e_seed_workflow PROPERTIES LABELS e2e TIMEOUT 300)
endif()
