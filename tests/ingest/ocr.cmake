docsight_add_test(tst_ocr SOURCES tst_ocr.cpp TIMEOUT 600)
