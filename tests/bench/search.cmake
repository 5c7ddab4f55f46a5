# bench_search: a 100k-chunk library from repeated real corpus text; build time, query latency,
# hnswlib recall@10 against exact search, RSS.
add_executable(bench_search bench_search.cpp)
target_link_libraries(bench_search PRIVATE docsight_testsupport)
