# Release-engineering tests, included by tests/CMakeLists.txt:
#   headers  every public header alone as C11 and C++17 (tests/headers)
#   install  cmake --install + consumers via pkg-config and find_package (tests/install)
#   python   the SWIG module's pytest suite (tests/python), when the module is built

add_subdirectory(${CMAKE_CURRENT_LIST_DIR}/headers ${CMAKE_CURRENT_BINARY_DIR}/headers)
add_subdirectory(${CMAKE_CURRENT_LIST_DIR}/install ${CMAKE_CURRENT_BINARY_DIR}/install)

if(TARGET rootly_python AND EXISTS ${CMAKE_CURRENT_LIST_DIR}/python)
  add_test(NAME python
    COMMAND ${ROOTLY_PYTHON_EXECUTABLE} -m pytest -q -p no:cacheprovider ${CMAKE_CURRENT_LIST_DIR}/python
    WORKING_DIRECTORY ${CMAKE_CURRENT_BINARY_DIR})
  set_tests_properties(python PROPERTIES
    LABELS python
    ENVIRONMENT "PYTHONPATH=${PROJECT_BINARY_DIR}/python;PYTHONDONTWRITEBYTECODE=1;ROOTLY_TEST_FIXTURES=${CMAKE_CURRENT_LIST_DIR}/fixtures")
endif()
include(${CMAKE_CURRENT_SOURCE_DIR}/CMakeLists.cli.cmake OPTIONAL)
