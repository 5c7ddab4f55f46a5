#pragma once

#include <atomic>
#include <memory>

namespace docsight {

// A cheap, copyable flag shared between whoever starts a long job and the job itself.
// Copies share the same state; cancelling any copy cancels them all.
class CancelToken final
{
public:
    CancelToken() = default;

    void cancel() const noexcept { m_flag->store(true, std::memory_order_relaxed); }
    bool isCancelled() const noexcept { return m_flag->load(std::memory_order_relaxed); }

private:
    std::shared_ptr<std::atomic_bool> m_flag = std::make_shared<std::atomic_bool>(false);
};

} // namespace docsight
