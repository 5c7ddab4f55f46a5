#pragma once

#include <QtGlobal>

namespace docsight {

// Where a passage stands: one page of one document, a span of that page's text and the word boxes
// covering it. A chunk, a retrieved passage, a citation and the viewer's target are each one (they
// derive from it), so a location is handed on whole — `target.setLocation(citation)` — never field by
// field.
struct PassageLocation {
    qint64 documentId = 0;
    int page = 0;      // 1-based physical page
    int charStart = 0; // span in the page text [charStart, charEnd)
    int charEnd = 0;
    int firstWord = 0; // index of the first word box on the page covering the span
    int wordCount = 0; // number of covered word boxes (0 for pages without geometry: TXT, DOCX)

    const PassageLocation &location() const noexcept { return *this; }
    void setLocation(const PassageLocation &other) noexcept { *this = other; }

    friend bool operator==(const PassageLocation &, const PassageLocation &) = default;
};

} // namespace docsight
