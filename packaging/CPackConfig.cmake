# `cpack -G DEB` in the build folder makes docsight_<version>_<arch>.deb.
install(FILES ${CMAKE_SOURCE_DIR}/packaging/docsight.desktop DESTINATION share/applications)
install(FILES ${CMAKE_SOURCE_DIR}/resources/icons/docsight.svg DESTINATION share/icons/hicolor/scalable/apps)
install(DIRECTORY ${CMAKE_SOURCE_DIR}/resources/samples/ DESTINATION share/docsight/samples)
install(FILES ${CMAKE_SOURCE_DIR}/packaging/org.docsight.Docsight.metainfo.xml DESTINATION share/metainfo)
install(FILES ${CMAKE_SOURCE_DIR}/packaging/copyright DESTINATION share/doc/docsight)

# Debian wants man pages and the changelog compressed with gzip -9n (no name, no time stamp: reproducible).
find_program(GZIP_EXECUTABLE gzip REQUIRED)
set(docsight_gzipped)
foreach(source docsight.1 docsight-cli.1 changelog)
  set(output ${CMAKE_BINARY_DIR}/packaging/${source}.gz)
  add_custom_command(OUTPUT ${output}
    COMMAND ${CMAKE_COMMAND} -E make_directory ${CMAKE_BINARY_DIR}/packaging
    COMMAND ${GZIP_EXECUTABLE} -9n -c ${CMAKE_SOURCE_DIR}/packaging/${source} > ${output}
    DEPENDS ${CMAKE_SOURCE_DIR}/packaging/${source} VERBATIM)
  list(APPEND docsight_gzipped ${output})
endforeach()
add_custom_target(docsight_packaging_files ALL DEPENDS ${docsight_gzipped})
install(FILES ${CMAKE_BINARY_DIR}/packaging/docsight.1.gz ${CMAKE_BINARY_DIR}/packaging/docsight-cli.1.gz
        DESTINATION share/man/man1)
install(FILES ${CMAKE_BINARY_DIR}/packaging/changelog.gz DESTINATION share/doc/docsight)

set(CPACK_PACKAGE_NAME docsight)
set(CPACK_PACKAGE_VENDOR "Docsight")
set(CPACK_PACKAGE_CONTACT "Docsight team <team@docsight.invalid>")
set(CPACK_PACKAGE_VERSION ${PROJECT_VERSION})
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY "Ask questions of your documents, offline, with cited passages")
set(CPACK_PACKAGE_DESCRIPTION "Docsight is a desktop application for analysts who work with documents.
It imports PDF, Word, image and text files, reads scanned pages with Tesseract
OCR, indexes them for keyword and vector search and answers questions with
citations that open the page with the passage highlighted.
It works offline with no API key; with a key kept in the system keychain it
uses OpenAI, Anthropic or a local OpenAI-compatible server such as Ollama.
Classifications keep Restricted text on the machine, and a tamper-evident
audit trail can be exported as a PDF report. docsight-cli does the same from
the command line.")
set(CPACK_DEBIAN_PACKAGE_HOMEPAGE "https://docsight.invalid/")
set(CPACK_PACKAGING_INSTALL_PREFIX /usr)
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(CPACK_STRIP_FILES ON)
set(CPACK_DEBIAN_PACKAGE_SECTION text)
# dpkg-shlibdeps derives the library dependencies from the binaries; the OCR data is a runtime need.
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
set(CPACK_DEBIAN_PACKAGE_DEPENDS "tesseract-ocr-eng, tesseract-ocr-osd, libqt6sql6-sqlite, qt6-image-formats-plugins, qt6-qpa-plugins")
set(CPACK_DEBIAN_PACKAGE_RECOMMENDS "gnome-keyring")
include(CPack)
