# Included by ctest (not cmake) after a test executable's tests were discovered; `fd_tests`
# holds their names. Sets how ctest schedules them:
#   COST        the long ones start first, so a fresh checkout (no timing history yet) does not
#               end on a lone 80 s call while the other slots idle;
#   PROCESSORS  tests that keep cores busy (load runs, many concurrent calls, the recogniser's
#               accuracy run) and the clusters of three nodes (their calls must get somewhere
#               before a node is cut) take two slots. Everything else counts one: the whole
#               calls of the e2e tests mostly wait on real-time audio (a booking call uses
#               about 4 s of CPU in 45 s), so ctest may run more of them than there are cores.
set(fd_cpu_heavy "bench|concurrent|soak|racing|ten_thousand|pocketsphinx\\.recognises")
set(fd_clusters "^integration\\.(cluster|console)\\.")
set(fd_long "^e2e\\.")
foreach(t IN LISTS fd_tests)
  if(t MATCHES "${fd_cpu_heavy}")
    set_tests_properties("${t}" PROPERTIES PROCESSORS 2 COST 100)
  elseif(t MATCHES "${fd_clusters}")
    set_tests_properties("${t}" PROPERTIES PROCESSORS 2 COST 50)
  elseif(t MATCHES "${fd_long}")
    set_tests_properties("${t}" PROPERTIES COST 50)
  endif()
endforeach()
