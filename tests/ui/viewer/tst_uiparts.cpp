// The UI's pure parts: find in document, word boxes under a span, rubber-band selection text,
// citation chips in answer text, and the conversation file format.
#include "chat/answerview.h"
#include "chat/conversation.h"
#include "viewer/documentfind.h"
#include "viewer/pagecache.h"
#include "viewer/pageview.h"

#include <QApplication>
#include <QTest>

using namespace docsight;

namespace {

// "Glob patterns match\nfile names." with one box per word, laid out on two lines.
PageContent samplePage()
{
    PageContent p;
    p.number = 1;
    p.text = QStringLiteral("Glob patterns match\nfile names.");
    p.source = PageSource::TextLayer;
    p.sizePoints = QSizeF(600, 800);
    const QStringList words{QStringLiteral("Glob"), QStringLiteral("patterns"), QStringLiteral("match"),
                            QStringLiteral("file"), QStringLiteral("names.")};
    int at = 0;
    for (int i = 0; i < words.size(); ++i) {
        at = static_cast<int>(p.text.indexOf(words.at(i), at));
        WordBox w;
        w.start = at;
        w.length = static_cast<int>(words.at(i).size());
        const bool second = i >= 3;
        w.rect = QRectF(0.1 + 0.15 * (second ? i - 3 : i), second ? 0.2 : 0.1, 0.12, 0.02);
        p.words.append(w);
        at += w.length;
    }
    return p;
}

} // namespace

class TestUiParts final : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void findIgnoresCaseAndLineBreaks()
    {
        const QList<FindMatch> m = findInPages({samplePage()}, QStringLiteral("MATCH  file"));
        QCOMPARE(m.size(), 1);
        QCOMPARE(m.first().page, 1);
        QCOMPARE(samplePage().text.mid(m.first().start, m.first().length), QStringLiteral("match\nfile"));
        QVERIFY(findInPages({samplePage()}, QStringLiteral("   ")).isEmpty());
        QCOMPARE(findInPages({samplePage(), samplePage()}, QStringLiteral("names")).size(), 2);
    }

    void aCitedQuoteIsFoundWhereItStandsNow()
    {
        const auto page = [](int number, const QString &text) {
            PageContent p;
            p.number = number;
            p.text = text;
            return p;
        };
        const QString quote = QStringLiteral("The quick brown dog jumped over the lazy fox.");
        const QString body = QStringLiteral("Intro line.\n") + QStringLiteral("The quick brown dog\njumped over the lazy fox.");
        // Still where it was recorded: the recorded span comes back as it is.
        const FindMatch recorded{2, 12, static_cast<int>(body.size()) - 12};
        QList<PageContent> pages{page(1, QStringLiteral("Other text.")), page(2, body)};
        auto at = locateQuote(pages, recorded, quote);
        QVERIFY(at);
        QCOMPARE(at->start, recorded.start);
        // Moved within the page, and to another page: the nearest occurrence.
        pages[1].text = QStringLiteral("A new first paragraph.\n\n") + body;
        at = locateQuote(pages, recorded, quote);
        QVERIFY(at);
        QCOMPARE(at->page, 2);
        QCOMPARE(pages[1].text.mid(at->start, at->length).simplified(), quote);
        pages.append(page(3, body));
        pages[1].text = QStringLiteral("Nothing here now.");
        at = locateQuote(pages, recorded, quote);
        QVERIFY(at);
        QCOMPARE(at->page, 3);
        // Gone.
        pages[2].text = QStringLiteral("The quick brown cat slept.");
        QVERIFY(!locateQuote(pages, recorded, quote));
        QVERIFY(!locateQuote(pages, recorded, QStringLiteral("  ")));
        // A whole passage whose middle was read differently: from its first words to its last.
        const QString passage = QStringLiteral("one two three four five six seven eight nine ten eleven twelve thirteen "
                                               "fourteen fifteen sixteen seventeen eighteen nineteen twenty");
        QString reread = passage;
        reread.replace(QStringLiteral("ten eleven"), QStringLiteral("tEn e1even"));
        pages = {page(1, QStringLiteral("Before. ") + reread + QStringLiteral(" After."))};
        at = locateQuote(pages, FindMatch{1, 0, 10}, passage);
        QVERIFY(at);
        QCOMPARE(pages[0].text.mid(at->start, at->length), reread);
    }

    void wordBoxesCoverTheSpan()
    {
        const PageContent p = samplePage();
        const QList<FindMatch> m = findInPages({p}, QStringLiteral("match file"));
        const QList<QRectF> rects = wordRectsForSpan(p, m.first().start, m.first().start + m.first().length);
        QCOMPARE(rects.size(), 2);
        QCOMPARE(rects.at(0), p.words.at(2).rect);
        QCOMPARE(rects.at(1), p.words.at(3).rect);
        QCOMPARE(wordRectsForRange(p, 1, 2), (QList<QRectF>{p.words.at(1).rect, p.words.at(2).rect}));
        QCOMPARE(wordRectsForRange(p, 4, 10).size(), 1);
    }

    void rubberBandSelectionKeepsLineBreaks()
    {
        PageCache cache;
        PageView view(&cache);
        view.resize(400, 500);
        view.setPages({samplePage()}, 1);
        // A rectangle: "patterns match" on line 1, "names." under it on line 2.
        view.selectWords(1, QRectF(0.23, 0.05, 0.7, 0.2));
        QVERIFY(view.hasSelection());
        QCOMPARE(view.selectedText(), QStringLiteral("patterns match\nnames."));
        view.clearSelection();
        QVERIFY(!view.hasSelection());
    }

    void zoomModesAndPageNavigation()
    {
        PageCache cache;
        PageView view(&cache);
        view.resize(500, 400);
        view.show();
        QList<PageContent> pages{samplePage(), samplePage(), samplePage()};
        pages[1].number = 2;
        pages[2].number = 3;
        view.setPages(pages, 3);
        view.setZoom(PageView::ZoomMode::Custom, 200);
        QCOMPARE(qRound(view.zoomPercent()), 200);
        view.setZoom(PageView::ZoomMode::FitWidth);
        const double fitWidth = view.zoomPercent();
        view.setZoom(PageView::ZoomMode::FitPage);
        QVERIFY(view.zoomPercent() < fitWidth);
        view.goToPage(3);
        QCOMPARE(view.currentPage(), 3);
        view.goToPage(2, 0.5);
        QCOMPARE(view.currentPage(), 2);
    }

    void citationMarkersBecomeLinksToTheirCitation()
    {
        Answer a;
        a.text = QStringLiteral("Globs match names [S1]. Magic wins [S2].");
        a.sentences = {AnswerSentence{0, 23, {QStringLiteral("S1")}}, AnswerSentence{24, 40, {QStringLiteral("S2")}}};
        Citation c1;
        c1.marker = QStringLiteral("S1");
        c1.sentence = 0;
        Citation c2;
        c2.marker = QStringLiteral("S2");
        c2.sentence = 1;
        a.citations = {c1, c2};
        const QString html = AnswerView::answerHtml(a, QApplication::palette());
        QVERIFY(html.contains(QLatin1String("href=\"cite:0\"")));
        QVERIFY(html.contains(QLatin1String("href=\"cite:1\"")));
        QVERIFY(!html.contains(QLatin1String("[S1]")));
        QVERIFY(html.startsWith(QLatin1String("Globs match names ")));
    }

    void conversationRoundTripsThroughJson()
    {
        Conversation c;
        c.id = Conversation::newId();
        c.title = QStringLiteral("What is a glob?");
        c.created = c.updated = QDateTime::currentDateTime();
        ChatTurn t;
        t.question = c.title;
        t.askedAt = c.created;
        t.scope = {3, 4};
        t.answer.text = QStringLiteral("A pattern [S1].");
        t.answer.provider = QStringLiteral("extractive");
        Citation cite;
        cite.marker = QStringLiteral("S1");
        cite.documentId = 3;
        cite.page = 5;
        cite.quote = QStringLiteral("A glob is a pattern.");
        cite.boxes = {QRectF(0.1, 0.2, 0.3, 0.04)};
        t.answer.citations = {cite};
        c.turns = {t};
        const std::optional<Conversation> back = conversationFromJson(conversationToJson(c));
        QVERIFY(back);
        QCOMPARE(back->id, c.id);
        QCOMPARE(back->turns.size(), 1);
        QCOMPARE(back->turns.first().scope, (QList<qint64>{3, 4}));
        QCOMPARE(back->turns.first().answer.citations.first().page, 5);
        QCOMPARE(back->turns.first().answer.citations.first().boxes.first(), QRectF(0.1, 0.2, 0.3, 0.04));
        QJsonObject future = conversationToJson(c);
        future.insert(QStringLiteral("version"), 99);
        QVERIFY(!conversationFromJson(future));
    }
};

QTEST_MAIN(TestUiParts)
#include "tst_uiparts.moc"
