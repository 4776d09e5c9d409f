# The Go binding (bindings/go), included by the top CMakeLists.txt.
#
# The go tool builds the package (cgo compiles the committed SWIG wrapper,
# internal/raw/rootly_wrap.cxx); CMake only finds go, writes a librootly.pc
# that points at this build tree (so `#cgo pkg-config: librootly` finds the
# library being built, with an rpath to it) and gives tests/ the environment
# to run `go vet` and `go test` with. Not in sanitizer builds: a Go test
# binary cannot load an ASan-instrumented librootly (the runtime must come
# first), so the Go suite runs in the plain builds only.

option(ROOTLY_BUILD_GO "Test the Go binding when the go tool is found" ON)

if(NOT ROOTLY_BUILD_GO)
  return()
endif()
find_program(ROOTLY_GO_EXECUTABLE NAMES go)
if(NOT ROOTLY_GO_EXECUTABLE)
  message(STATUS "Go binding: skipped (go not found)")
  return()
endif()
if(ROOTLY_SANITIZE OR ROOTLY_SANITIZE_THREAD)
  message(STATUS "Go binding: not tested in a sanitizer build")
  return()
endif()

set(_rootly_go_pc_dir ${PROJECT_BINARY_DIR}/go-pkgconfig)
file(WRITE ${_rootly_go_pc_dir}/librootly.pc.in
"Name: librootly
Description: librootly (build tree ${PROJECT_BINARY_DIR})
Version: ${PROJECT_VERSION}
Cflags: -I${PROJECT_SOURCE_DIR}/include
Libs: -L${PROJECT_BINARY_DIR} -lrootly -Wl,-rpath,${PROJECT_BINARY_DIR}
")
configure_file(${_rootly_go_pc_dir}/librootly.pc.in ${_rootly_go_pc_dir}/librootly.pc COPYONLY)

# Nothing to build with CMake; the target only orders the library before the test.
add_custom_target(rootly_go_test_deps ALL DEPENDS rootly)

# LD_LIBRARY_PATH as well as the rpath: the go build cache reuses a cgo
# package linked for another build tree of the same checkout, and the test
# binary's rpath then names that tree first (seen with two build trees: the
# Go tests ran against the other tree's older librootly).
set(ROOTLY_GO_ENV
  "PKG_CONFIG_PATH=${_rootly_go_pc_dir}"
  "LD_LIBRARY_PATH=${PROJECT_BINARY_DIR}"
  "GOTOOLCHAIN=local"
  "GOFLAGS=-mod=mod"
  "CGO_ENABLED=1"
  "ROOTLY_SOURCE_DIR=${PROJECT_SOURCE_DIR}")
message(STATUS "Go binding: ${ROOTLY_GO_EXECUTABLE}")
