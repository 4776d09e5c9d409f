# Outbox and transports (issue 4): the driver program the end-to-end tests
# run, the end-to-end tests against the fake services (tests/fakes), and
# the crash loop. Included by tests/CMakeLists.extra.cmake.
#
# Labels: outbox_e2e (real sockets, a Python fake server, a client timeout
# of a few hundred ms, SIGKILL): keep them out of the valgrind stage (the
# timeouts are real time); they run fine under ASan.
find_package(Python3 COMPONENTS Interpreter)

add_executable(outbox_driver ${CMAKE_CURRENT_LIST_DIR}/fakes/outbox_driver.c)
target_include_directories(outbox_driver PRIVATE ${PROJECT_SOURCE_DIR}/src)
target_compile_definitions(outbox_driver PRIVATE _POSIX_C_SOURCE=200809L _DEFAULT_SOURCE)
target_link_libraries(outbox_driver PRIVATE rootly_static PkgConfig::LIBUV)

if(Python3_Interpreter_FOUND)
  foreach(t http crash)
    add_test(NAME outbox_e2e_${t}
      COMMAND ${Python3_EXECUTABLE} ${CMAKE_CURRENT_LIST_DIR}/e2e/test_outbox_${t}.py
        $<TARGET_FILE:outbox_driver> ${CMAKE_CURRENT_LIST_DIR}/fakes/fake_services.py
        ${CMAKE_CURRENT_LIST_DIR}/fixtures)
    set_tests_properties(outbox_e2e_${t} PROPERTIES LABELS outbox_e2e TIMEOUT 600
      ENVIRONMENT "PYTHONDONTWRITEBYTECODE=1")
  endforeach()
  # The seed scenario through the `rootly` CLI and the real Slack transport.
  if(TARGET rootly_cli)
    add_test(NAME outbox_e2e_seed
      COMMAND ${Python3_EXECUTABLE} ${CMAKE_CURRENT_LIST_DIR}/e2e/test_outbox_seed.py
        $<TARGET_FILE:rootly_cli> ${CMAKE_CURRENT_LIST_DIR}/fakes/fake_services.py
        ${CMAKE_CURRENT_LIST_DIR}/fixtures)
    set_tests_properties(outbox_e2e_seed PROPERTIES LABELS outbox_e2e TIMEOUT 300
      ENVIRONMENT "PYTHONDONTWRITEBYTECODE=1")
  endif()
endif()
