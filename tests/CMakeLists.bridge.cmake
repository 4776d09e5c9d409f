# rootly-bridge end-to-end tests (tests/e2e/bridge), label e2e. They start
# the bridge, the real Alertmanager and Prometheus (Debian packages
# prometheus-alertmanager and prometheus) on 127.0.0.1 with temporary
# directories; the Alertmanager and Prometheus tests are reported skipped
# (exit 77) when those are not installed, and fail instead when
# ROOTLY_REQUIRE_PEERS=1 (scripts/test-all.sh sets it: it installs them).
# Python 3 standard library only; the HTTP/2 check uses curl.
if(TARGET rootly_bridge AND TARGET rootly_cli)
  find_package(Python3 COMPONENTS Interpreter)
  if(Python3_Interpreter_FOUND)
    set(_br_dir ${CMAKE_CURRENT_LIST_DIR}/e2e/bridge)
    set(_br_env
      "ROOTLY_BRIDGE=$<TARGET_FILE:rootly_bridge>"
      "ROOTLY_CLI=$<TARGET_FILE:rootly_cli>"
      "ROOTLY_FIXTURES=${CMAKE_CURRENT_LIST_DIR}/fixtures"
      "PYTHONDONTWRITEBYTECODE=1")
    if(ROOTLY_SANITIZE OR ROOTLY_SANITIZE_THREAD)
      # ASan/UBSan and TSan make the bridge several times slower: stretch the waits.
      list(APPEND _br_env "ROOTLY_TEST_SLOW=4")
    endif()
    foreach(t http alertmanager prometheus)
      add_test(NAME e2e_bridge_${t} COMMAND ${Python3_EXECUTABLE} ${_br_dir}/test_${t}.py)
      set_tests_properties(e2e_bridge_${t} PROPERTIES LABELS e2e TIMEOUT 600 ENVIRONMENT "${_br_env}"
        SKIP_RETURN_CODE 77)
    endforeach()
    # The HTTP suite again with alert payloads parsed on the bridge's
    # prepare thread (pool), on the loop thread and on the commit worker
    # (the default, auto, above: the prepare thread for bodies of 4 KiB or
    # more, the worker for smaller ones): the same answers whichever thread
    # parses.
    foreach(m pool loop worker)
      add_test(NAME e2e_bridge_http_prepare_${m} COMMAND ${Python3_EXECUTABLE} ${_br_dir}/test_http.py)
      set_tests_properties(e2e_bridge_http_prepare_${m} PROPERTIES LABELS e2e TIMEOUT 600
        ENVIRONMENT "${_br_env};ROOTLY_BRIDGE_ARGS=--prepare-on ${m}")
    endforeach()
    # With -DROOTLY_VALGRIND=ON: the HTTP and Alertmanager suites again with
    # the bridge under memcheck (any error or definite leak makes it exit
    # 99, which the suites check at every stop).
    if(ROOTLY_VALGRIND AND NOT ROOTLY_SANITIZE)
      find_program(ROOTLY_VALGRIND_EXECUTABLE valgrind)
      if(ROOTLY_VALGRIND_EXECUTABLE)
        foreach(t http alertmanager)
          add_test(NAME valgrind_e2e_bridge_${t} COMMAND ${Python3_EXECUTABLE} ${_br_dir}/test_${t}.py)
          set_tests_properties(valgrind_e2e_bridge_${t} PROPERTIES LABELS valgrind TIMEOUT 1200 SKIP_RETURN_CODE 77
            ENVIRONMENT "${_br_env};ROOTLY_TEST_SLOW=10;ROOTLY_BRIDGE_WRAPPER=${ROOTLY_VALGRIND_EXECUTABLE} -q --error-exitcode=99 --leak-check=full --show-leak-kinds=definite --errors-for-leak-kinds=definite")
        endforeach()
      endif()
    endif()
    # kill -9 under load; 100 trials by hand (the default), 10 in CI.
    add_test(NAME e2e_bridge_crash COMMAND ${Python3_EXECUTABLE} ${_br_dir}/crash_test.py)
    set_tests_properties(e2e_bridge_crash PROPERTIES LABELS e2e TIMEOUT 900
      ENVIRONMENT "${_br_env};ROOTLY_CRASH_TRIALS=10")
  endif()
endif()
