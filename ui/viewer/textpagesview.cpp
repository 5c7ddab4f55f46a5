#include "viewer/textpagesview.h"

#include <algorithm>

#include <QScrollBar>
#include <QTextBlock>

namespace docsight {

TextPagesView::TextPagesView(QWidget *parent) : QPlainTextEdit(parent)
{
    setReadOnly(true);
    setFrameShape(QFrame::NoFrame);
    setTextInteractionFlags(Qt::TextSelectableByMouse | Qt::TextSelectableByKeyboard);
    document()->setDocumentMargin(24);
    QFont f = font();
    f.setPointSizeF(f.pointSizeF() * 1.08);
    setFont(f);
    connect(verticalScrollBar(), &QScrollBar::valueChanged, this, [this] {
        const int page = currentPage();
        if (page != m_lastPage) {
            m_lastPage = page;
            Q_EMIT currentPageChanged(page);
        }
    });
}

void TextPagesView::setPages(const QList<PageContent> &pages)
{
    QString text;
    m_pageStarts.clear();
    m_headings.clear();
    for (const PageContent &page : pages) {
        m_headings.append(static_cast<int>(text.size()));
        text += tr("Page %1").arg(page.number) + QLatin1Char('\n');
        m_pageStarts.append(static_cast<int>(text.size()));
        text += page.text + QStringLiteral("\n\n");
    }
    setPlainText(text);
    m_headingSelections.clear();
    QTextCharFormat heading;
    heading.setFontWeight(QFont::DemiBold);
    heading.setForeground(palette().color(QPalette::PlaceholderText));
    heading.setBackground(palette().color(QPalette::AlternateBase));
    heading.setProperty(QTextFormat::FullWidthSelection, true);
    for (const int at : std::as_const(m_headings)) {
        QTextEdit::ExtraSelection s;
        s.cursor = QTextCursor(document());
        s.cursor.setPosition(at);
        s.format = heading;
        m_headingSelections.append(s);
    }
    m_findSelections.clear();
    m_highlightSelections.clear();
    applySelections();
    m_lastPage = pages.isEmpty() ? 0 : 1;
}

void TextPagesView::clearPages()
{
    setPages({});
}

int TextPagesView::currentPage() const
{
    if (m_headings.isEmpty())
        return 0;
    const int pos = cursorForPosition(QPoint(4, viewport()->height() / 3)).position();
    const auto it = std::upper_bound(m_headings.cbegin(), m_headings.cend(), pos);
    return std::max(1, static_cast<int>(std::distance(m_headings.cbegin(), it)));
}

void TextPagesView::goToPage(int number)
{
    if (number < 1 || number > m_headings.size())
        return;
    // QPlainTextEdit scrolls by blocks: put the page heading's block at the top.
    verticalScrollBar()->setValue(document()->findBlock(m_headings.at(number - 1)).blockNumber());
}

QTextEdit::ExtraSelection TextPagesView::span(int page, int start, int end, const QColor &color) const
{
    QTextEdit::ExtraSelection s;
    s.cursor = QTextCursor(document());
    if (page < 1 || page > m_pageStarts.size())
        return s;
    const int base = m_pageStarts.at(page - 1);
    s.cursor.setPosition(base + start);
    s.cursor.setPosition(base + end, QTextCursor::KeepAnchor);
    s.format.setBackground(color);
    s.format.setForeground(Qt::black);
    return s;
}

void TextPagesView::setHighlight(int page, int start, int end)
{
    m_highlightSelections.clear();
    if (page >= 1 && page <= m_pageStarts.size() && end > start) {
        const QTextEdit::ExtraSelection s = span(page, start, end, QColor(255, 196, 0, 150));
        m_highlightSelections.append(s);
        QTextCursor c = s.cursor;
        c.setPosition(s.cursor.selectionStart());
        setTextCursor(c);
        centerCursor();
    }
    applySelections();
}

void TextPagesView::setFindMatches(const QList<FindMatch> &matches, int current)
{
    m_findSelections.clear();
    for (int i = 0; i < matches.size(); ++i) {
        const FindMatch &m = matches.at(i);
        m_findSelections.append(span(m.page, m.start, m.start + m.length,
                                     i == current ? QColor(255, 152, 0, 180) : QColor(255, 235, 59, 150)));
    }
    if (current >= 0 && current < m_findSelections.size()) {
        QTextCursor c = m_findSelections.at(current).cursor;
        c.setPosition(c.selectionStart());
        setTextCursor(c);
        centerCursor();
    }
    applySelections();
}

void TextPagesView::applySelections()
{
    setExtraSelections(m_headingSelections + m_findSelections + m_highlightSelections);
}

} // namespace docsight
