# bench_ui: the longest event-loop stall of the desktop window while it imports the scanned PDF and
# R-intro.pdf, answers (extractive, and a fast token stream from a loopback server) and opens a
# citation in the viewer. Target: no stall above 50 ms.
if(TARGET docsight_ui)
  add_executable(bench_ui bench_ui.cpp)
  target_link_libraries(bench_ui PRIVATE docsight_testsupport docsight_ui Qt6::Test)
  target_include_directories(bench_ui PRIVATE ${CMAKE_CURRENT_SOURCE_DIR}/../ui)
endif()
