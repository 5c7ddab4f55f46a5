# HTTP embedders. Absolute paths, so this file works whichever CMakeLists.txt includes it.
target_sources(docsight_core PRIVATE
  ${CMAKE_CURRENT_LIST_DIR}/openaiembedder.h ${CMAKE_CURRENT_LIST_DIR}/openaiembedder.cpp)
