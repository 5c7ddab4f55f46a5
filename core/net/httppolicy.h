#pragma once

// HttpPolicy: how long a request may take and how it is retried, one value that the chat providers and
// the embedder fill in the same way.

#include <chrono>

namespace docsight {

// Timeouts and retry rules of an HttpRequest. The defaults are the chat providers' (a long answer from a
// slow local model); a caller with other needs (the embedder) overrides single fields.
struct HttpPolicy {
    std::chrono::milliseconds connectTimeout{10'000};
    std::chrono::milliseconds timeout{600'000};      // whole attempt, including the response body; 0 = none
    std::chrono::milliseconds idleTimeout{120'000};  // no byte for this long; 0 = none. CPU-only servers can
                                                     // think long before the first token
    int maxRetries = 2;                              // extra attempts after the first
    std::chrono::milliseconds backoffBase{1'000};    // first retry waits about this long, doubling each time
    std::chrono::milliseconds backoffCap{16'000};
    std::chrono::milliseconds retryAfterCap{60'000}; // a server asking for a longer wait is not retried
};

} // namespace docsight
