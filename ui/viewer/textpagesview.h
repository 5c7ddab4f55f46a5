#pragma once

#include "model/pagecontent.h"
#include "viewer/documentfind.h"

#include <QHash>
#include <QPlainTextEdit>

namespace docsight {

// The stored text of a document, page after page under a small page heading: what the viewer shows for
// Word and text files (no page images) and whenever page images cannot be drawn. Highlights are
// character spans of a page.
class TextPagesView final : public QPlainTextEdit
{
    Q_OBJECT

public:
    explicit TextPagesView(QWidget *parent = nullptr);

    void setPages(const QList<PageContent> &pages);
    void clearPages();
    int currentPage() const;
    void goToPage(int number);

    void setHighlight(int page, int start, int end);
    void setFindMatches(const QList<FindMatch> &matches, int current);

Q_SIGNALS:
    void currentPageChanged(int page);

private:
    void applySelections();
    QTextEdit::ExtraSelection span(int page, int start, int end, const QColor &color) const;

    QList<int> m_pageStarts;      // offset of each page's text in the document
    QList<int> m_headings;        // offset of each page heading
    QList<QTextEdit::ExtraSelection> m_headingSelections;
    QList<QTextEdit::ExtraSelection> m_findSelections;
    QList<QTextEdit::ExtraSelection> m_highlightSelections;
    int m_lastPage = 0;
};

} // namespace docsight
