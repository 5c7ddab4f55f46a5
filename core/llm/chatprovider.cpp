#include "llm/chatprovider.h"

#include <array>
#include <utility>

namespace docsight {

std::optional<int> knownContextWindow(QStringView model)
{
    // Longest prefix first, so "gpt-4o" is not taken for "gpt-4". Sizes from the providers' model pages;
    // a model missing here gets the provider's conservative default.
    static constexpr std::array<std::pair<const char *, int>, 17> table{{
        {"gpt-4.1", 1'047'576},
        {"gpt-5", 400'000},
        {"gpt-4o", 128'000},
        {"gpt-4-turbo", 128'000},
        {"chatgpt-4o", 128'000},
        {"gpt-4-32k", 32'768},
        {"gpt-4", 8'192},
        {"gpt-3.5-turbo", 16'385},
        {"o4-mini", 200'000},
        {"o3", 200'000},
        {"o1-mini", 128'000},
        {"o1", 200'000},
        {"claude-3-haiku", 200'000},
        {"claude-3", 200'000},
        {"claude-sonnet", 200'000},
        {"claude-opus", 200'000},
        {"claude", 200'000},
    }};
    const QString lower = model.toString().toLower();
    const QStringView name = QStringView(lower);
    int best = -1;
    qsizetype bestLength = 0;
    for (const auto &[prefix, size] : table) {
        const QLatin1String p(prefix);
        if (name.startsWith(p) && p.size() > bestLength) {
            best = size;
            bestLength = p.size();
        }
    }
    if (best < 0)
        return std::nullopt;
    return best;
}

} // namespace docsight
