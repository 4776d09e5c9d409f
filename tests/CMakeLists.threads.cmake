# The tests that run library or bridge code on several threads, label
# `threads`: scripts/test-all.sh runs exactly these in its ThreadSanitizer
# build (-DROOTLY_SANITIZE_THREAD=ON, build-tsan/), and the target
# rootly_threads_tests builds only what they need, so that stage does not
# compile the whole suite a third time.
#
#   test_ctx_deferred            deferred commits synced from other threads
#                                (rootly_ctx_sync, src/store/sqlite_sync.c)
#   test_store_checkpoint        the WAL checkpoint thread (sqlite_ckpt.c)
#   test_store_powerloss         deferred syncs + checkpoint thread through a
#                                recording VFS shared by every thread
#   test_ingest_prepare_threads  rootly_ingest_prepare on several threads
#   test_ingest_jsoncache        the per-thread block cache (src/core/alloc.c)
#   test_arena                   arena chunks: trees made on one thread, freed
#                                on another (src/core/arena.c)
#   e2e_bridge_http              the bridge: loop thread, prepare thread,
#                                commit worker, syncer thread, outbox
#                                dispatcher thread and its ctx on the store
#   e2e_bridge_http_prepare_pool the same with every payload parsed on the
#                                prepare thread
#   e2e_bridge_http_prepare_loop ... and on the loop thread, while the worker
#                                commits on the same context
#   e2e_bridge_http_prepare_worker ... and every payload parsed on the
#                                commit worker
#   e2e_bridge_alertmanager,     the bridge fed by the real Alertmanager and
#   e2e_bridge_prometheus        Prometheus (concurrent connections, retries)
set(ROOTLY_THREADS_UNIT_TESTS test_ctx_deferred test_store_checkpoint test_store_powerloss
  test_ingest_prepare_threads test_ingest_jsoncache test_arena)
set(ROOTLY_THREADS_E2E_TESTS e2e_bridge_http e2e_bridge_http_prepare_pool e2e_bridge_http_prepare_loop
  e2e_bridge_http_prepare_worker e2e_bridge_alertmanager e2e_bridge_prometheus)

add_custom_target(rootly_threads_tests)
foreach(t ${ROOTLY_THREADS_UNIT_TESTS})
  if(TARGET ${t})
    add_dependencies(rootly_threads_tests ${t})
    set_property(TEST ${t} APPEND PROPERTY LABELS threads)
  endif()
endforeach()
if(TARGET rootly_bridge AND TARGET rootly_cli)
  add_dependencies(rootly_threads_tests rootly_bridge rootly_cli)
endif()
foreach(t ${ROOTLY_THREADS_E2E_TESTS})
  if(TEST ${t})
    set_property(TEST ${t} APPEND PROPERTY LABELS threads)
  endif()
endforeach()

if(ROOTLY_SANITIZE_THREAD)
  # Every test of this build (and every bridge it starts: the variable is
  # inherited) reads the suppressions; each entry there says why it is safe.
  # exitcode 66 (TSan's default) after any report fails the test, and the
  # bridge suites check the bridge's exit status at every stop.
  # second_deadlock_stack: both stacks of a lock-order inversion.
  set(_tsan_env "TSAN_OPTIONS=suppressions=${CMAKE_CURRENT_SOURCE_DIR}/tsan.supp:second_deadlock_stack=1:history_size=4")
  foreach(t ${ROOTLY_THREADS_UNIT_TESTS} ${ROOTLY_THREADS_E2E_TESTS})
    if(TEST ${t})
      set_property(TEST ${t} APPEND PROPERTY ENVIRONMENT "${_tsan_env}")
    endif()
  endforeach()
endif()
