# fd_add_component(NAME [CAF] SOURCES ... [DEPS ...] [TEST_DEPS ...])
#
# Adds the library `fd_<NAME>` from the calling folder and, when tests are on, its tests:
#   tests/unit/<NAME>/*_test.cpp         -> executable test_unit_<NAME>        (label unit)
#   tests/integration/<NAME>/*_test.cpp  -> executable test_integration_<NAME> (label integration)
#   tests/e2e/<NAME>/*_test.cpp          -> executable test_e2e_<NAME>         (label e2e)
# Each test executable links the component, GoogleTest and the shared test support library.
# CAF marks a component that includes CAF headers (heavy translation units).

# -Wno-restrict: g++ 12 reports false positives inside std::string at -O3 (GCC bug 105329).
set(FRONTDESK_WARNINGS -Wall -Wextra -Werror -Wno-missing-field-initializers)
if(CMAKE_CXX_COMPILER_ID STREQUAL "GNU")
  list(APPEND FRONTDESK_WARNINGS -Wno-restrict)
endif()

function(fd_target_defaults target)
  target_compile_options(${target} PRIVATE ${FRONTDESK_WARNINGS})
  target_include_directories(${target} PUBLIC ${PROJECT_SOURCE_DIR})
endfunction()

function(fd_add_tests name)
  cmake_parse_arguments(T "" "" "DEPS" ${ARGN})
  foreach(kind unit integration e2e)
    file(GLOB srcs CONFIGURE_DEPENDS ${PROJECT_SOURCE_DIR}/tests/${kind}/${name}/*_test.cpp)
    if(srcs)
      set(exe test_${kind}_${name})
      add_executable(${exe} ${srcs})
      fd_target_defaults(${exe})
      target_link_libraries(${exe} PRIVATE ${T_DEPS} fd_test_support GTest::gtest GTest::gmock GTest::gtest_main)
      set_target_properties(${exe} PROPERTIES RUNTIME_OUTPUT_DIRECTORY ${CMAKE_BINARY_DIR}/tests)
      # Tests find the checkout's files (config/, sql/) and the built binary through these.
      target_compile_definitions(${exe} PRIVATE
        FRONTDESK_SOURCE_DIR="${PROJECT_SOURCE_DIR}"
        FRONTDESK_BIN="${CMAKE_BINARY_DIR}/bin/frontdesk")
      gtest_discover_tests(${exe}
        DISCOVERY_MODE PRE_TEST
        TEST_PREFIX "${kind}.${name}."
        PROPERTIES LABELS ${kind} TIMEOUT 300)
      # Scheduling (cost, cores) per test, set by ctest once the tests above are discovered.
      set(schedule ${CMAKE_CURRENT_BINARY_DIR}/${exe}_schedule.cmake)
      file(WRITE ${schedule} "set(fd_tests \"\${${exe}_TESTS}\")\n"
                             "include(${PROJECT_SOURCE_DIR}/cmake/test_schedule.cmake)\n")
      set_property(DIRECTORY APPEND PROPERTY TEST_INCLUDE_FILES ${schedule})
    endif()
  endforeach()
endfunction()

function(fd_add_component name)
  cmake_parse_arguments(C "CAF" "" "SOURCES;DEPS;TEST_DEPS" ${ARGN})
  add_library(fd_${name} STATIC ${C_SOURCES})
  fd_target_defaults(fd_${name})
  target_link_libraries(fd_${name} PUBLIC ${C_DEPS})
  if(C_CAF)
    target_link_libraries(fd_${name} PUBLIC CAF::io CAF::core)
  endif()
  if(FRONTDESK_BUILD_TESTS)
    fd_add_tests(${name} DEPS fd_${name} ${C_TEST_DEPS})
  endif()
endfunction()
