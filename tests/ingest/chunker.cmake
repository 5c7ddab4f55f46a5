docsight_add_test(tst_chunker SOURCES tst_chunker.cpp)
