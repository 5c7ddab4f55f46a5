docsight_add_test(tst_ingestqueue SOURCES tst_ingestqueue.cpp TIMEOUT 900)
docsight_add_test(tst_reimport SOURCES tst_reimport.cpp TIMEOUT 900)
