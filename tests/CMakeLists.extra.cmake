# Release-engineering tests, included by tests/CMakeLists.txt:
#   headers  every public header alone as C11 and C++17 (tests/headers)
#   install  cmake --install + consumers via pkg-config and find_package (tests/install)
#   (the bindings' tests -- python, go -- are in CMakeLists.bindings.cmake)
#   valgrind every unit/conformance test again under valgrind (-DROOTLY_VALGRIND=ON)

add_subdirectory(${CMAKE_CURRENT_LIST_DIR}/headers ${CMAKE_CURRENT_BINARY_DIR}/headers)
add_subdirectory(${CMAKE_CURRENT_LIST_DIR}/install ${CMAKE_CURRENT_BINARY_DIR}/install)

include(${CMAKE_CURRENT_SOURCE_DIR}/CMakeLists.cli.cmake OPTIONAL)
# One file per area that registers tests of its own (e2e, fakes, bindings).
include(${CMAKE_CURRENT_SOURCE_DIR}/CMakeLists.workflow.cmake OPTIONAL)
include(${CMAKE_CURRENT_SOURCE_DIR}/CMakeLists.outbox.cmake OPTIONAL)
include(${CMAKE_CURRENT_SOURCE_DIR}/CMakeLists.bridge.cmake OPTIONAL)
include(${CMAKE_CURRENT_SOURCE_DIR}/CMakeLists.bindings.cmake OPTIONAL)

# valgrind_<test>: the same program, environment and directory, under
# memcheck; any error or definite leak fails it. Not with sanitizers (they
# do not mix), and not by default (slow): scripts/test-all.sh turns it on.
if(ROOTLY_VALGRIND AND NOT ROOTLY_SANITIZE)
  find_program(ROOTLY_VALGRIND_EXECUTABLE valgrind)
  if(NOT ROOTLY_VALGRIND_EXECUTABLE)
    message(WARNING "ROOTLY_VALGRIND=ON but valgrind was not found; no valgrind tests")
  else()
    get_property(_rootly_tests DIRECTORY ${CMAKE_CURRENT_SOURCE_DIR} PROPERTY TESTS)
    set(_rootly_vg 0)
    foreach(t ${_rootly_tests})
      get_test_property(${t} LABELS _labels)
      if(TARGET ${t} AND _labels MATCHES "^(unit|conformance)$")
        add_test(NAME valgrind_${t}
          COMMAND ${ROOTLY_VALGRIND_EXECUTABLE} -q --error-exitcode=99 --leak-check=full
            --show-leak-kinds=definite --errors-for-leak-kinds=definite
            --child-silent-after-fork=yes $<TARGET_FILE:${t}>)
        get_test_property(${t} ENVIRONMENT _env)
        if(NOT _env)
          set(_env "")
        endif()
        # memcheck is ~30x slower: thin the loops that scale by count
        list(APPEND _env "ROOTLY_PROPERTY_STREAMS=300" "ROOTLY_FAULT_STRIDE=3" "ROOTLY_MODEL_SEEDS=2")
        set_tests_properties(valgrind_${t} PROPERTIES LABELS valgrind ENVIRONMENT "${_env}")
        math(EXPR _rootly_vg "${_rootly_vg} + 1")
      endif()
    endforeach()
    message(STATUS "valgrind: ${_rootly_vg} C tests also registered under memcheck (label valgrind)")
  endif()
endif()
include(${CMAKE_CURRENT_SOURCE_DIR}/CMakeLists.config.cmake OPTIONAL)
