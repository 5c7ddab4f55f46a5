# DocxLoader against the python-docx files of the shared corpus plus documents built by the test
# (QuaZip writes them), and TextLoader against generated files in every encoding it detects.
docsight_add_test(tst_docxloader SOURCES tst_docxloader.cpp LIBS QuaZip::QuaZip LABELS ingest)
docsight_add_test(tst_textloader SOURCES tst_textloader.cpp LABELS ingest)
