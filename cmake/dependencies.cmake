# Every third-party dependency is found here, once. All come from Debian 12 packages
# (the list lives in scripts/packages.txt).

find_package(Threads REQUIRED)
find_package(PkgConfig REQUIRED)

# CAF 0.17 ships neither a CMake config nor a pkg-config file: imported targets by hand.
find_path(CAF_INCLUDE_DIR caf/all.hpp REQUIRED)
find_library(CAF_CORE_LIBRARY caf_core REQUIRED)
find_library(CAF_IO_LIBRARY caf_io REQUIRED)
add_library(CAF::core UNKNOWN IMPORTED)
set_target_properties(CAF::core PROPERTIES
  IMPORTED_LOCATION "${CAF_CORE_LIBRARY}"
  INTERFACE_INCLUDE_DIRECTORIES "${CAF_INCLUDE_DIR}"
  INTERFACE_LINK_LIBRARIES Threads::Threads
  # Without it an unannounced type is silently sent as an empty message.
  INTERFACE_COMPILE_DEFINITIONS CAF_ENABLE_TYPE_ID_CHECKS)
add_library(CAF::io UNKNOWN IMPORTED)
set_target_properties(CAF::io PROPERTIES
  IMPORTED_LOCATION "${CAF_IO_LIBRARY}"
  INTERFACE_LINK_LIBRARIES CAF::core)
# CAF's TLS transport for cluster links (it links libssl/libcrypto itself).
find_library(CAF_OPENSSL_LIBRARY caf_openssl REQUIRED)
add_library(CAF::openssl UNKNOWN IMPORTED)
set_target_properties(CAF::openssl PROPERTIES
  IMPORTED_LOCATION "${CAF_OPENSSL_LIBRARY}"
  INTERFACE_LINK_LIBRARIES CAF::io)

# Boost 1.81 (Debian's default 1.74 lacks Boost.JSON).
find_package(Boost 1.81.0 EXACT REQUIRED COMPONENTS json CONFIG)

find_package(spdlog REQUIRED)
find_package(fmt REQUIRED)
find_package(tomlplusplus REQUIRED)
find_package(CLI11 REQUIRED)
find_package(date REQUIRED)
find_package(CURL REQUIRED)
find_package(OpenSSL REQUIRED)
pkg_check_modules(PQXX REQUIRED IMPORTED_TARGET libpqxx)

if(FRONTDESK_BUILD_TESTS)
  find_package(GTest REQUIRED)
endif()

# Speech: speexdsp (resampling), Flite (no pkg-config file), PocketSphinx/sphinxbase.
pkg_check_modules(SPEEXDSP REQUIRED IMPORTED_TARGET speexdsp)
pkg_check_modules(OPUS REQUIRED IMPORTED_TARGET opus)
pkg_check_modules(OGG REQUIRED IMPORTED_TARGET ogg)
pkg_check_modules(SODIUM REQUIRED IMPORTED_TARGET libsodium)
# Debian's pkg-config file names an include directory that does not exist: by hand.
find_path(POCKETSPHINX_INCLUDE_DIR pocketsphinx.h PATH_SUFFIXES pocketsphinx REQUIRED)
find_path(SPHINXBASE_INCLUDE_DIR sphinxbase/fe.h PATH_SUFFIXES x86_64-linux-gnu REQUIRED)
find_library(POCKETSPHINX_LIBRARY pocketsphinx REQUIRED)
find_library(SPHINXBASE_LIBRARY sphinxbase REQUIRED)
add_library(fd_pocketsphinx INTERFACE)
target_include_directories(fd_pocketsphinx SYSTEM INTERFACE ${POCKETSPHINX_INCLUDE_DIR}
  ${SPHINXBASE_INCLUDE_DIR} ${SPHINXBASE_INCLUDE_DIR}/sphinxbase)
target_link_libraries(fd_pocketsphinx INTERFACE ${POCKETSPHINX_LIBRARY} ${SPHINXBASE_LIBRARY})
set(FLITE_LIBRARIES)
foreach(lib flite_cmu_us_kal flite_cmu_us_kal16 flite_cmu_us_rms flite_cmu_us_slt
            flite_cmu_us_awb flite_usenglish flite_cmulex flite)
  find_library(FD_LIB_${lib} ${lib} REQUIRED)
  list(APPEND FLITE_LIBRARIES ${FD_LIB_${lib}})
endforeach()
list(APPEND FLITE_LIBRARIES m)
