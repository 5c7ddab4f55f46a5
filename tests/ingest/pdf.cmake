# PdfLoader: born-digital, encrypted, malformed and scanned PDFs from the shared corpus.
# OCR of the scanned pages dominates the run time, hence the long timeout.
docsight_add_test(tst_pdfloader SOURCES tst_pdfloader.cpp TIMEOUT 900)
# Page text from PDF words: table rows rejoined, prose columns kept (real Poppler; PDFs from QPdfWriter).
docsight_add_test(tst_textlayout SOURCES tst_textlayout.cpp)
