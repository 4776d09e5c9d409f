# rootly-bridge (examples/alert-bridge): the HTTP alert bridge on h2o and
# libuv. Included OPTIONAL by the top-level CMakeLists.txt; built when the
# CLI programs are (ROOTLY_BUILD_CLI) and Debian's libh2o-dev is found.
if(ROOTLY_BUILD_CLI)
  pkg_check_modules(LIBH2O IMPORTED_TARGET libh2o)
  find_package(OpenSSL)
  if(LIBH2O_FOUND AND OpenSSL_FOUND)
    file(GLOB ROOTLY_BRIDGE_SOURCES CONFIGURE_DEPENDS ${CMAKE_CURRENT_LIST_DIR}/*.c)
    add_executable(rootly_bridge ${ROOTLY_BRIDGE_SOURCES})
    target_compile_options(rootly_bridge PRIVATE ${ROOTLY_WARNINGS})
    target_compile_definitions(rootly_bridge PRIVATE _POSIX_C_SOURCE=200809L _DEFAULT_SOURCE)
    # h2o's headers are C99 with GNU extensions in places: C11 plus
    # _DEFAULT_SOURCE is enough on Debian 12's libh2o-dev 2.2.5.
    target_link_libraries(rootly_bridge PRIVATE rootly PkgConfig::LIBH2O PkgConfig::LIBUV
      PkgConfig::JANSSON PkgConfig::SQLITE3 OpenSSL::SSL OpenSSL::Crypto)
    set_target_properties(rootly_bridge PROPERTIES OUTPUT_NAME rootly-bridge)
    install(TARGETS rootly_bridge RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})
  else()
    message(STATUS "rootly-bridge: libh2o (libh2o-dev) or OpenSSL not found; the bridge is not built")
  endif()
endif()
