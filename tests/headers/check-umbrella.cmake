# cmake -DINCLUDE_DIR=<repo>/include -P check-umbrella.cmake
#
# rootly.h is the umbrella (DESIGN §2, conventions §10.1): it must include
# every include/rootly/*.h except rootly/sys/* (backend implementers) and the
# headers that pull in third-party types (rootly/uv.h: <uv.h>; rootly/json.h:
# <jansson.h>), which users include on purpose.
cmake_minimum_required(VERSION 3.18)
if(NOT INCLUDE_DIR)
  message(FATAL_ERROR "usage: cmake -DINCLUDE_DIR=... -P check-umbrella.cmake")
endif()
file(READ ${INCLUDE_DIR}/rootly.h umbrella)
file(GLOB modules RELATIVE ${INCLUDE_DIR} ${INCLUDE_DIR}/rootly/*.h)
set(excluded rootly/uv.h rootly/json.h)
set(missing)
set(wrong)
foreach(h ${modules})
  string(REGEX MATCH "#[ \t]*include[ \t]*[<\"]${h}[>\"]" hit "${umbrella}")
  if(h IN_LIST excluded)
    if(hit)
      list(APPEND wrong ${h})
    endif()
  elseif(NOT hit)
    list(APPEND missing ${h})
  endif()
endforeach()
if(missing OR wrong)
  message(FATAL_ERROR "include/rootly.h: missing ${missing}; must not include ${wrong}")
endif()
list(LENGTH modules n)
string(REPLACE ";" ", " excluded_text "${excluded}")
message(STATUS "rootly.h includes every one of the ${n} rootly/*.h it should (never ${excluded_text})")
