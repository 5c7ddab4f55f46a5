# `cpack -G DEB` in the build folder makes docsight_<version>_<arch>.deb.
install(FILES ${CMAKE_SOURCE_DIR}/packaging/docsight.desktop DESTINATION share/applications)
install(FILES ${CMAKE_SOURCE_DIR}/resources/icons/docsight.svg DESTINATION share/icons/hicolor/scalable/apps)
install(DIRECTORY ${CMAKE_SOURCE_DIR}/resources/samples/ DESTINATION share/docsight/samples)

set(CPACK_PACKAGE_NAME docsight)
set(CPACK_PACKAGE_VENDOR "Docsight")
set(CPACK_PACKAGE_CONTACT "Docsight team <team@docsight.invalid>")
set(CPACK_PACKAGE_VERSION ${PROJECT_VERSION})
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY "Ask questions of your documents, offline, with cited passages")
set(CPACK_PACKAGING_INSTALL_PREFIX /usr)
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(CPACK_STRIP_FILES ON)
set(CPACK_DEBIAN_PACKAGE_SECTION text)
# dpkg-shlibdeps derives the library dependencies from the binaries; the OCR data is a runtime need.
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
set(CPACK_DEBIAN_PACKAGE_DEPENDS "tesseract-ocr-eng, tesseract-ocr-osd, libqt6sql6-sqlite, qt6-image-formats-plugins, qt6-qpa-plugins")
set(CPACK_DEBIAN_PACKAGE_RECOMMENDS "gnome-keyring")
include(CPack)
