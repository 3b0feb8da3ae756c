# Packaging: what `cmake --install` adds so other projects link the recorder in two lines,
# either `find_package(heapscope)` + `heapscope::heapscope` or `pkg-config --libs heapscope`.
include(CMakePackageConfigHelpers)

set(HEAPSCOPE_CMAKE_DIR ${CMAKE_INSTALL_LIBDIR}/cmake/heapscope)

install(EXPORT heapscopeTargets NAMESPACE heapscope:: DESTINATION ${HEAPSCOPE_CMAKE_DIR})
configure_package_config_file(${CMAKE_CURRENT_LIST_DIR}/heapscopeConfig.cmake.in
    ${CMAKE_CURRENT_BINARY_DIR}/heapscopeConfig.cmake
    INSTALL_DESTINATION ${HEAPSCOPE_CMAKE_DIR})
write_basic_package_version_file(${CMAKE_CURRENT_BINARY_DIR}/heapscopeConfigVersion.cmake
    COMPATIBILITY SameMinorVersion)
install(FILES ${CMAKE_CURRENT_BINARY_DIR}/heapscopeConfig.cmake
    ${CMAKE_CURRENT_BINARY_DIR}/heapscopeConfigVersion.cmake
    DESTINATION ${HEAPSCOPE_CMAKE_DIR})

# The prefix is found from the .pc file's own place, so an install with `--prefix` elsewhere
# (or a moved tree) still gives the right paths.
file(RELATIVE_PATH HEAPSCOPE_PC_TO_PREFIX /prefix/${CMAKE_INSTALL_LIBDIR}/pkgconfig /prefix)
string(REGEX REPLACE "/$" "" HEAPSCOPE_PC_TO_PREFIX "${HEAPSCOPE_PC_TO_PREFIX}")
configure_file(${CMAKE_CURRENT_LIST_DIR}/heapscope.pc.in ${CMAKE_CURRENT_BINARY_DIR}/heapscope.pc
    @ONLY)
install(FILES ${CMAKE_CURRENT_BINARY_DIR}/heapscope.pc
    DESTINATION ${CMAKE_INSTALL_LIBDIR}/pkgconfig)

# Every public header: the C API and the C++ test helper.
install(DIRECTORY ${PROJECT_SOURCE_DIR}/include/heapscope
    DESTINATION ${CMAKE_INSTALL_INCLUDEDIR})
