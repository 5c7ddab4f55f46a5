docsight_add_test(tst_ingestqueue SOURCES tst_ingestqueue.cpp TIMEOUT 900)
