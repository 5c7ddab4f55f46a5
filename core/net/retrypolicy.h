#pragma once

// When HttpTransport::send tries a failed attempt again, and how long it waits first.

#include "net/httppolicy.h"
#include "net/httptransport.h"

#include <chrono>
#include <optional>

#include <QDateTime>

namespace docsight {

// How long the server asked us to wait: Retry-After (seconds or an HTTP date), retry-after-ms, or on a
// 429 the x-ratelimit-reset-* header of an exhausted limit ("6m0s", "20ms"). nullopt when none says.
std::optional<std::chrono::milliseconds> serverRetryDelay(const HttpResponse &response,
                                                          const QDateTime &nowUtc = QDateTime::currentDateTimeUtc());

// Network errors, timeouts, 5xx overload statuses and a 429 that is not an exhausted quota.
bool isRetryable(const HttpResponse &response);

// The wait before retry number retryIndex (0 for the first), from the policy's backoff.
std::chrono::milliseconds backoffDelay(const HttpPolicy &policy, int retryIndex);

} // namespace docsight
