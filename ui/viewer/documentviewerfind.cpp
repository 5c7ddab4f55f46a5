// DocumentViewer's find in document (Ctrl+F): the matches come from DocumentReader off the GUI thread,
// are marked on the rendered pages or in the text view, and Next/Previous step through them.
#include "viewer/documentviewer.h"

#include "viewer/documentfind.h"
#include "viewer/documentreader.h"
#include "viewer/findbar.h"
#include "viewer/pageview.h"
#include "viewer/textpagesview.h"

#include <QHash>

namespace docsight {

void DocumentViewer::startFind()
{
    m_findBar->activate();
}

void DocumentViewer::runFind()
{
    const quint64 request = ++m_findRequest;
    const QString needle = m_findBar->text();
    m_reader->find(m_content, needle, this, [this, request](const QList<FindMatch> &matches) {
        if (request != m_findRequest)
            return;
        m_matches = matches;
        // Start from the first match at or after the page in view.
        m_matchIndex = m_matches.isEmpty() ? -1 : 0;
        for (int i = 0; i < m_matches.size(); ++i) {
            if (m_matches.at(i).page >= currentPage()) {
                m_matchIndex = i;
                break;
            }
        }
        QHash<int, const PageContent *> pages;
        for (const PageContent &p : std::as_const(m_content))
            pages.insert(p.number, &p);
        QHash<int, QList<QRectF>> byPage;
        for (const FindMatch &m : std::as_const(m_matches)) {
            if (const PageContent *p = pages.value(m.page))
                byPage[m.page] += wordRectsForSpan(*p, m.start, m.start + m.length);
        }
        m_pages->setFindMatches(byPage);
        showMatch();
    });
}

void DocumentViewer::showMatch()
{
    if (m_matches.isEmpty()) {
        m_findBar->setCountText(m_findBar->text().isEmpty() ? QString() : tr("No matches"));
        m_pages->setCurrentMatch(0, {});
        m_text->setFindMatches({}, -1);
        return;
    }
    m_findBar->setCountText(tr("%1 of %2").arg(m_matchIndex + 1).arg(m_matches.size()));
    const FindMatch &m = m_matches.at(m_matchIndex);
    if (m_textMode) {
        m_text->setFindMatches(m_matches, m_matchIndex);
        return;
    }
    for (const PageContent &p : std::as_const(m_content)) {
        if (p.number != m.page)
            continue;
        const QList<QRectF> rects = wordRectsForSpan(p, m.start, m.start + m.length);
        m_pages->setCurrentMatch(m.page, rects);
        m_pages->goToPage(m.page, rects.isEmpty() ? -1 : rects.constFirst().top());
    }
}

void DocumentViewer::findNext()
{
    if (!m_findBar->isVisible()) {
        startFind();
        return;
    }
    if (m_matches.isEmpty())
        return;
    m_matchIndex = (m_matchIndex + 1) % static_cast<int>(m_matches.size());
    showMatch();
}

void DocumentViewer::findPrevious()
{
    if (!m_findBar->isVisible()) {
        startFind();
        return;
    }
    if (m_matches.isEmpty())
        return;
    m_matchIndex = (m_matchIndex - 1 + static_cast<int>(m_matches.size())) % static_cast<int>(m_matches.size());
    showMatch();
}

} // namespace docsight
