# `cmake --install` into a temporary DESTDIR puts what a Linux desktop expects where it expects it, and
# the desktop entry and the AppStream metadata validate. Run: cmake -DBUILD_DIR=... -DVERSION=... -P install.cmake
set(root "${BUILD_DIR}/install-test")
file(REMOVE_RECURSE "${root}")
execute_process(COMMAND ${CMAKE_COMMAND} -E env DESTDIR=${root} ${CMAKE_COMMAND} --install ${BUILD_DIR} --prefix /usr
                RESULT_VARIABLE rc OUTPUT_QUIET)
if(NOT rc EQUAL 0)
    message(FATAL_ERROR "cmake --install failed: ${rc}")
endif()
set(prefix "${root}/usr")
foreach(f bin/porthole
          share/applications/io.porthole.Porthole.desktop
          share/metainfo/io.porthole.Porthole.metainfo.xml
          share/mime/packages/porthole.xml
          share/icons/hicolor/scalable/apps/porthole.svg
          share/icons/hicolor/16x16/apps/porthole.png
          share/icons/hicolor/48x48/apps/porthole.png
          share/icons/hicolor/256x256/apps/porthole.png
          share/man/man1/porthole.1)
    if(NOT EXISTS "${prefix}/${f}")
        message(FATAL_ERROR "not installed: ${f}")
    endif()
endforeach()
# Nothing else: the built-in scenarios are inside the binary, no test or library is installed.
file(GLOB_RECURSE installed RELATIVE "${prefix}" "${prefix}/*")
foreach(f IN LISTS installed)
    if(f MATCHES "^(lib|include)/" OR f MATCHES "tst_")
        message(FATAL_ERROR "installed but not wanted: ${f}")
    endif()
endforeach()

execute_process(COMMAND "${prefix}/bin/porthole" --version OUTPUT_VARIABLE version RESULT_VARIABLE rc)
if(NOT rc EQUAL 0 OR NOT version MATCHES "${VERSION}")
    message(FATAL_ERROR "the installed porthole --version says '${version}' (${rc}), the project is ${VERSION}")
endif()
file(READ "${prefix}/share/man/man1/porthole.1" man)
if(NOT man MATCHES "replay" OR NOT man MATCHES "^\\.TH PORTHOLE 1")
    message(FATAL_ERROR "the man page does not hold the help text")
endif()
execute_process(COMMAND "${prefix}/bin/porthole" run there-is-no-thread --headless --duration 1 RESULT_VARIABLE rc OUTPUT_QUIET)
if(NOT rc EQUAL 0)
    message(FATAL_ERROR "the installed porthole could not run a built-in scenario (${rc}): are the scenarios compiled in?")
endif()

find_program(DESKTOP_FILE_VALIDATE desktop-file-validate)
find_program(APPSTREAMCLI appstreamcli)
if(NOT DESKTOP_FILE_VALIDATE OR NOT APPSTREAMCLI)
    message(FATAL_ERROR "desktop-file-validate or appstreamcli is missing: scripts/install-deps.sh installs desktop-file-utils and appstream")
endif()
execute_process(COMMAND ${DESKTOP_FILE_VALIDATE} "${prefix}/share/applications/io.porthole.Porthole.desktop" RESULT_VARIABLE rc)
if(NOT rc EQUAL 0)
    message(FATAL_ERROR "desktop-file-validate failed")
endif()
execute_process(COMMAND ${APPSTREAMCLI} validate --no-net "${prefix}/share/metainfo/io.porthole.Porthole.metainfo.xml" RESULT_VARIABLE rc)
if(NOT rc EQUAL 0)
    message(FATAL_ERROR "appstreamcli validate failed")
endif()
file(REMOVE_RECURSE "${root}")
message(STATUS "installed and validated")
