# The bindings' tests (issue 6), included by tests/CMakeLists.extra.cmake.
#
#   python              pytest suite (tests/python) on the SWIG module     label python
#   python_asan         the same suite in a -DROOTLY_SANITIZE=ON build,    label python-asan
#                       the sanitizer runtimes preloaded into python3
#   python_leaks        create/free loop under LeakSanitizer: fails when   label python-asan
#                       leaked bytes grow with the iterations
#   valgrind_python_leaks  the same loop under valgrind memcheck           label valgrind
#   python_pip_install  `pip install .` into a fresh venv, then import     label pip (needs PyPI;
#                       and use the installed package                      skipped when offline)
#   go                  `go vet` + `go test` of bindings/go                label go
#   python_store_conformance  the C store conformance suite (the cases    label python
#                       of tests/conformance/test_store_conformance.c) in
#                       a program embedding CPython, against
#                       rootly.DictStore through the director shim
#
# scripts/test-all.sh runs the ASan build minus the labels python and
# install: python_asan and python_leaks carry python-asan so they do run there.

set(_rootly_py_env
  "PYTHONPATH=${PROJECT_BINARY_DIR}/python"
  "PYTHONDONTWRITEBYTECODE=1"
  "ROOTLY_TEST_FIXTURES=${CMAKE_CURRENT_LIST_DIR}/fixtures")

if(TARGET rootly_python AND EXISTS ${CMAKE_CURRENT_LIST_DIR}/python)
  if(NOT ROOTLY_SANITIZE)
    add_test(NAME python
      COMMAND ${ROOTLY_PYTHON_EXECUTABLE} -m pytest -q -p no:cacheprovider ${CMAKE_CURRENT_LIST_DIR}/python
      WORKING_DIRECTORY ${CMAKE_CURRENT_BINARY_DIR})
    set_tests_properties(python PROPERTIES LABELS python ENVIRONMENT "${_rootly_py_env}")

    find_program(ROOTLY_VALGRIND_FOR_PY valgrind)
    if(ROOTLY_VALGRIND_FOR_PY)
      add_test(NAME valgrind_python_leaks
        COMMAND ${ROOTLY_PYTHON_EXECUTABLE} ${CMAKE_CURRENT_LIST_DIR}/python/leakcheck.py valgrind ${ROOTLY_VALGRIND_FOR_PY}
        WORKING_DIRECTORY ${CMAKE_CURRENT_BINARY_DIR})
      set_tests_properties(valgrind_python_leaks PROPERTIES LABELS valgrind ENVIRONMENT "${_rootly_py_env}"
        TIMEOUT 1800)
    endif()
  else()
    # python3 itself is not instrumented: load the sanitizer runtimes first.
    execute_process(COMMAND ${CMAKE_C_COMPILER} -print-file-name=libasan.so
      OUTPUT_VARIABLE _asan OUTPUT_STRIP_TRAILING_WHITESPACE)
    execute_process(COMMAND ${CMAKE_C_COMPILER} -print-file-name=libubsan.so
      OUTPUT_VARIABLE _ubsan OUTPUT_STRIP_TRAILING_WHITESPACE)
    set(_preload "${_asan}:${_ubsan}")
    add_test(NAME python_asan
      COMMAND ${ROOTLY_PYTHON_EXECUTABLE} -m pytest -q -p no:cacheprovider ${CMAKE_CURRENT_LIST_DIR}/python
      WORKING_DIRECTORY ${CMAKE_CURRENT_BINARY_DIR})
    # Leaks are python_leaks' job (the interpreter's own exit-time memory
    # would drown them here).
    set_tests_properties(python_asan PROPERTIES LABELS python-asan
      ENVIRONMENT "${_rootly_py_env};LD_PRELOAD=${_preload};ASAN_OPTIONS=detect_leaks=0")
    add_test(NAME python_leaks
      COMMAND ${ROOTLY_PYTHON_EXECUTABLE} ${CMAKE_CURRENT_LIST_DIR}/python/leakcheck.py asan ${_preload}
      WORKING_DIRECTORY ${CMAKE_CURRENT_BINARY_DIR})
    set_tests_properties(python_leaks PROPERTIES LABELS python-asan ENVIRONMENT "${_rootly_py_env}")
  endif()

  # The C conformance cases against a store written in Python: a cmocka
  # program that embeds CPython (tests/conformance/python_store/main.c). It
  # links the shared librootly, the one the extension module loads, so both
  # sides share one error state and allocator.
  find_package(Python3 QUIET COMPONENTS Interpreter Development.Embed)
  if(Python3_Development.Embed_FOUND)
    set(_pystore ${CMAKE_CURRENT_LIST_DIR}/conformance/python_store)
    add_executable(python_store_conformance ${_pystore}/main.c
      ${CMAKE_CURRENT_LIST_DIR}/conformance/test_store_conformance.c
      ${CMAKE_CURRENT_LIST_DIR}/support/rootly_test.c)
    target_include_directories(python_store_conformance PRIVATE ${CMAKE_CURRENT_LIST_DIR}/support
      ${CMAKE_CURRENT_LIST_DIR}/conformance ${PROJECT_SOURCE_DIR}/include)
    target_compile_definitions(python_store_conformance PRIVATE ROOTLY_CONFORMANCE_NO_MAIN
      _POSIX_C_SOURCE=200809L _DEFAULT_SOURCE
      ROOTLY_TEST_FIXTURES="${CMAKE_CURRENT_LIST_DIR}/fixtures")
    target_compile_options(python_store_conformance PRIVATE -Wall -Wextra -Wno-unused-parameter)
    target_link_libraries(python_store_conformance PRIVATE rootly Python3::Python ${CMOCKA_LIB})
    add_dependencies(python_store_conformance rootly_python)
    add_test(NAME python_store_conformance COMMAND python_store_conformance
      WORKING_DIRECTORY ${CMAKE_CURRENT_BINARY_DIR})
    if(ROOTLY_SANITIZE)
      # LeakSanitizer on: with PYTHONMALLOC=malloc the interpreter frees
      # what it allocated by Py_FinalizeEx, but for one object of SWIG's
      # runtime (lsan.supp); a store vtable or record not freed fails it.
      set(_pystore_label python-asan)
      set(_pystore_extra ";PYTHONMALLOC=malloc;ASAN_OPTIONS=detect_leaks=1;LSAN_OPTIONS=suppressions=${_pystore}/lsan.supp")
    else()
      set(_pystore_label python)
      set(_pystore_extra "")
    endif()
    set_tests_properties(python_store_conformance PROPERTIES LABELS ${_pystore_label}
      ENVIRONMENT "PYTHONPATH=${PROJECT_BINARY_DIR}/python:${_pystore};PYTHONDONTWRITEBYTECODE=1;CMOCKA_MESSAGE_OUTPUT=stdout${_pystore_extra}")
  else()
    message(STATUS "python_store_conformance: skipped (no Python embedding library for ${ROOTLY_PYTHON_EXECUTABLE})")
  endif()

  if(NOT ROOTLY_SANITIZE AND EXISTS ${PROJECT_SOURCE_DIR}/pyproject.toml)
    add_test(NAME python_pip_install
      COMMAND ${CMAKE_COMMAND} -E env PYTHONDONTWRITEBYTECODE=1
        ROOTLY_TEST_FIXTURES=${CMAKE_CURRENT_LIST_DIR}/fixtures
        bash ${CMAKE_CURRENT_LIST_DIR}/python/pip_install_test.sh ${ROOTLY_PYTHON_EXECUTABLE} ${PROJECT_SOURCE_DIR}
      WORKING_DIRECTORY ${CMAKE_CURRENT_BINARY_DIR})
    set_tests_properties(python_pip_install PROPERTIES LABELS pip SKIP_RETURN_CODE 77 TIMEOUT 1800)
  endif()
endif()

if(TARGET rootly_go_test_deps AND ROOTLY_GO_EXECUTABLE)
  add_test(NAME go
    COMMAND ${CMAKE_COMMAND} -E env ${ROOTLY_GO_ENV}
      bash ${PROJECT_SOURCE_DIR}/bindings/go/test.sh ${ROOTLY_GO_EXECUTABLE}
    WORKING_DIRECTORY ${PROJECT_SOURCE_DIR}/bindings/go)
  set_tests_properties(go PROPERTIES LABELS go ENVIRONMENT "ROOTLY_TEST_FIXTURES=${CMAKE_CURRENT_LIST_DIR}/fixtures"
    TIMEOUT 900)
endif()
