// The analyst's main path, through the window: import a PDF, ask the offline extractive answerer, open
// a citation in the viewer with the quoted words highlighted, find in the document, reopen the saved
// conversation, stop a streamed answer. Screenshots of each state go to <build>/tests/ui/screenshots.
#include "../../llm/providerfixtures.h"
#include "../darkpalette.h"
#include "../uitestsupport.h"
#include "chat/answerview.h"
#include "chat/chatpanel.h"
#include "library/indexcontroller.h"
#include "library/librarymodel.h"
#include "library/librarypanel.h"
#include "settings/providerservice.h"
#include "settings/settingsdialog.h"
#include "shell/mainwindow.h"
#include "viewer/documentviewer.h"
#include "viewer/pageview.h"

#include "ingest/ocrengine.h"
#include "ingest/pagerenderer.h"
#include "store/library.h"

#include "loopbackserver.h"
#include "testsupport.h"

#include <QAction>
#include <QComboBox>
#include <QTableView>
#include <QLabel>
#include <QLineEdit>
#include <QMessageBox>
#include <QTimer>
#include <QPlainTextEdit>
#include <QRegularExpression>
#include <QSignalSpy>
#include <QTest>
#include <QToolButton>

using namespace docsight;

namespace {

QString normalised(const QString &text)
{
    QString out;
    for (const QChar c : text) {
        if (c.isLetterOrNumber())
            out.append(c.toLower());
    }
    return out;
}

} // namespace

class TestUiFlow final : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase()
    {
        const QString error = m_ui.open(QSize(1400, 860));
        QVERIFY2(error.isEmpty(), qPrintable(error));
    }

    void cleanupTestCase()
    {
        m_ui.close();
    }

    void showsAnEmptyLibraryWithSuggestions()
    {
        QVERIFY(m_ui.window->libraryModel()->isEmpty());
        const QImage shot = test::saveScreenshot(m_ui.window.get(), QStringLiteral("01-empty-library"));
        QVERIFY(test::distinctColours(shot) >= 16);
    }

    void importsAPdfDroppedOnTheWindow()
    {
        QSignalSpy finished(m_ui.window->ingestQueue(), &IngestQueue::finished);
        m_ui.window->importPaths({test::corpusPath(QStringLiteral("pdf/shared-mime-info-spec.pdf"))});
        QTRY_COMPARE_WITH_TIMEOUT(finished.count(), 1, 120000);
        const auto outcome = finished.first().first().value<ImportOutcome>();
        QCOMPARE(outcome.result, ImportOutcome::Result::Imported);
        QTRY_COMPARE(m_ui.window->libraryModel()->rowCount(), 1);
        QTRY_COMPARE(m_ui.window->libraryModel()->record(m_ui.window->libraryModel()->index(0, 0))->status, DocumentStatus::Ready);
        m_ui.window->libraryPanel()->selectDocument(outcome.documentId);
        QTRY_COMPARE(m_ui.window->viewer()->documentId(), outcome.documentId);
        QTRY_VERIFY(!m_ui.window->viewer()->isLoading());
        QVERIFY(m_ui.window->viewer()->isShowingImages());
        QTRY_VERIFY_WITH_TIMEOUT(!m_ui.window->viewer()->hasPendingRenders(), 30000);
        QTest::qWait(50);
        const QImage shot = test::saveScreenshot(m_ui.window.get(), QStringLiteral("02-library-and-viewer"));
        QVERIFY(test::distinctColours(shot) >= 32);
        // The viewer drew the page: text on white, not one flat colour.
        QVERIFY(test::distinctColours(m_ui.window->viewer()->pageView()->viewport()->grab().toImage()) >= 8);
    }

    void answersWithTheExtractiveProvider()
    {
        ChatPanel *chat = m_ui.window->chatPanel();
        QCOMPARE(chat->currentProvider(), ProviderKind::Extractive);
        QTRY_VERIFY_WITH_TIMEOUT(!m_ui.window->indexController()->isBusy(), 60000);
        QCOMPARE(m_ui.window->indexController()->state(), IndexController::State::Idle);
        m_ui.window->activateWindow();
        chat->input()->setFocus();
        chat->input()->setPlainText(QStringLiteral("What does a glob pattern match?"));
        QSignalSpy busy(chat, &ChatPanel::busyChanged);
        // Ctrl+Enter sends.
        QTest::keyClick(chat->input(), Qt::Key_Return, Qt::ControlModifier);
        if (busy.isEmpty())
            m_ui.window->findChild<QAction *>(QStringLiteral("sendQuestion"))->trigger(); // no shortcut map offscreen
        QTRY_COMPARE(chat->answerViews().size(), 1);
        AnswerView *view = chat->answerViews().first();
        QTRY_VERIFY_WITH_TIMEOUT(!view->isStreaming(), 60000);
        QVERIFY(chat->input()->toPlainText().isEmpty());
        const Answer &answer = view->answer();
        QVERIFY2(answer.ok(), qPrintable(answer.errorMessage));
        QCOMPARE(answer.provider, QStringLiteral("extractive"));
        QVERIFY(!answer.declined);
        QVERIFY(!answer.citations.isEmpty());
        QVERIFY2(!view->streamedText().isEmpty(), "the answer should have arrived streamed");
        QVERIFY(!view->sourceButtons().isEmpty());
        auto *notice = view->findChild<QLabel *>(QStringLiteral("extractiveNotice"));
        QVERIFY(notice && notice->isVisible());
        QVERIFY(notice->text().contains(QLatin1String("No language model")));
        QVERIFY(view->plainText().contains(QLatin1String("Sources:")));
        const QImage shot = test::saveScreenshot(m_ui.window.get(), QStringLiteral("03-answer"));
        QVERIFY(test::distinctColours(shot) >= 32);
    }

    void citationOpensTheViewerWithTheQuoteHighlighted()
    {
        AnswerView *view = m_ui.window->chatPanel()->answerViews().first();
        const Citation citation = view->answer().citations.at(view->sourceCitations().first());
        QVERIFY(test::clickWhenLaidOut(view->sourceButtons().first()));
        DocumentViewer *viewer = m_ui.window->viewer();
        QTRY_VERIFY(!viewer->isLoading());
        QCOMPARE(viewer->documentId(), citation.documentId);
        QCOMPARE(viewer->currentPage(), citation.page);
        QCOMPARE(viewer->highlightPage(), citation.page);
        const QList<QRectF> rects = viewer->highlightRects();
        QVERIFY(!rects.isEmpty());
        // The highlighted boxes are the quoted words.
        const PageContent &page = viewer->pageView()->page(citation.page);
        QString under;
        for (const WordBox &w : page.words) {
            if (rects.contains(w.rect))
                under += page.text.mid(w.start, w.length) + QLatin1Char(' ');
        }
        QVERIFY(!under.isEmpty());
        const QString quote = normalised(citation.quote);
        const QString highlighted = normalised(under);
        QVERIFY2(quote.contains(highlighted) || highlighted.contains(quote),
                 qPrintable(QStringLiteral("quote: %1\nhighlighted: %2").arg(citation.quote, under)));
        // The highlight is in view.
        const QRectF pageRect = viewer->pageView()->viewport()->rect();
        QVERIFY(pageRect.height() > 0);
        QTRY_VERIFY_WITH_TIMEOUT(!viewer->hasPendingRenders(), 30000);
        QTest::qWait(50);
        const QImage shot = test::saveScreenshot(m_ui.window.get(), QStringLiteral("04-citation-highlighted"));
        QVERIFY(test::distinctColours(shot) >= 32);
        // The highlight colour (amber) is on screen.
        const QImage pageShot = viewer->pageView()->viewport()->grab().toImage().convertToFormat(QImage::Format_RGB32);
        bool amber = false;
        for (int y = 0; y < pageShot.height() && !amber; y += 2) {
            for (int x = 0; x < pageShot.width() && !amber; x += 2) {
                const QColor c = pageShot.pixelColor(x, y);
                amber = c.red() > 200 && c.green() > 120 && c.green() < 235 && c.blue() < 120;
            }
        }
        QVERIFY2(amber, "no highlight drawn over the page");
    }

    void nextCitationWalksTheSources()
    {
        ChatPanel *chat = m_ui.window->chatPanel();
        QAction *next = nullptr;
        for (QAction *a : chat->chatActions()) {
            if (a->shortcut() == QKeySequence(Qt::Key_F8))
                next = a;
        }
        QVERIFY(next && next->isEnabled());
        QSignalSpy opened(chat, &ChatPanel::citationActivated);
        next->trigger();
        QCOMPARE(opened.count(), 1);
    }

    void findsInTheDocument()
    {
        DocumentViewer *viewer = m_ui.window->viewer();
        viewer->startFind();
        auto *edit = viewer->findChild<QLineEdit *>(QStringLiteral("findField"));
        QVERIFY(edit && edit->isVisible());
        QTest::keyClicks(edit, QStringLiteral("magic"));
        const auto matchCount = [viewer]() -> QLabel * {
            for (QLabel *l : viewer->findChildren<QLabel *>()) {
                if (l->text().contains(QRegularExpression(QStringLiteral("^\\d+ of \\d+$"))))
                    return l;
            }
            return nullptr;
        };
        QTRY_VERIFY(matchCount() != nullptr);
        QLabel *count = matchCount();
        const QString first = count->text();
        viewer->findNext();
        QVERIFY(count->text() != first);
        QTRY_VERIFY_WITH_TIMEOUT(!viewer->hasPendingRenders(), 30000);
        QTest::qWait(50);
        const QImage shot = test::saveScreenshot(m_ui.window.get(), QStringLiteral("05-find"));
        QVERIFY(test::distinctColours(shot) >= 32);
    }

    void savedConversationReopens()
    {
        ChatPanel *chat = m_ui.window->chatPanel();
        const QString id = chat->conversation().id;
        const int citations = static_cast<int>(chat->conversation().turns.first().answer.citations.size());
        chat->newConversation();
        QCOMPARE(chat->answerViews().size(), 0);
        chat->openConversation(id);
        QTRY_COMPARE(chat->answerViews().size(), 1);
        QCOMPARE(chat->conversation().id, id);
        QCOMPARE(static_cast<int>(chat->answerViews().first()->answer().citations.size()), citations);
        QVERIFY(!chat->answerViews().first()->sourceButtons().isEmpty());
    }

    void stopsAStreamingAnswer()
    {
        test::LoopbackServer server;
        QVERIFY(server.isListening());
        server.setHandler([](const test::LoopbackRequest &r) {
            if (r.path.endsWith("/models"))
                return test::LoopbackResponse::json(200, R"({"data":[{"id":"slow-model"}]})");
            QList<QByteArray> pieces;
            for (int i = 0; i < 400; ++i)
                pieces << test::openAiChunk(QStringLiteral("word%1 ").arg(i), {}, QStringLiteral("slow-model"));
            return test::LoopbackResponse::sse(pieces, std::chrono::milliseconds(25));
        });
        AppSettings settings = m_ui.window->settings();
        ProviderSettings local = settings.provider(ProviderKind::OpenAiCompatible);
        local.enabled = true;
        local.baseUrl = server.url(QStringLiteral("/v1"));
        local.model = QStringLiteral("slow-model");
        settings.setProvider(local);
        m_ui.window->applySettings(settings);
        ChatPanel *chat = m_ui.window->chatPanel();
        auto *picker = chat->findChildren<QComboBox *>().first();
        const int index = picker->findData(static_cast<int>(ProviderKind::OpenAiCompatible));
        QVERIFY(index >= 0);
        picker->setCurrentIndex(index);
        Q_EMIT picker->activated(index);
        QCOMPARE(chat->currentProvider(), ProviderKind::OpenAiCompatible);

        chat->ask(QStringLiteral("What does a glob pattern match?"));
        AnswerView *view = chat->answerViews().constLast();
        QTRY_VERIFY_WITH_TIMEOUT(view->streamedText().contains(QLatin1String("word3")), 30000);
        QVERIFY(view->isStreaming());
        const QImage shot = test::saveScreenshot(m_ui.window.get(), QStringLiteral("06-streaming"));
        QVERIFY(test::distinctColours(shot) >= 32);
        QAction *stop = m_ui.window->findChild<QAction *>(QStringLiteral("stopAnswer"));
        QVERIFY(stop && stop->isEnabled());
        stop->trigger();
        QTRY_VERIFY_WITH_TIMEOUT(!view->isStreaming(), 30000);
        QCOMPARE(view->answer().error, ChatError::Cancelled);
        QVERIFY(!view->streamedText().contains(QLatin1String("word399")));
        QVERIFY(!stop->isEnabled());
        // Back to the offline answerer for whatever runs next.
        picker->setCurrentIndex(picker->findData(static_cast<int>(ProviderKind::Extractive)));
        Q_EMIT picker->activated(picker->currentIndex());
    }

    void followsADarkPalette()
    {
        const QPalette light = QApplication::palette();
        const QPalette dark = test::darkPalette();
        QApplication::setPalette(dark);
        QTest::qWait(100);
        const QImage shot = test::saveScreenshot(m_ui.window.get(), QStringLiteral("08-dark-palette"));
        QApplication::setPalette(light);
        QVERIFY(test::distinctColours(shot) >= 32);
        // The library pane and the conversation took the palette (the PDF page itself stays white).
        const QImage library = m_ui.window->documentView()->viewport()->grab().toImage();
        const QColor empty = library.pixelColor(library.width() / 2, library.height() - 10);
        QVERIFY2(empty.lightness() < 128, qPrintable(empty.name()));
        const QColor chat = shot.pixelColor(shot.width() - 30, shot.height() / 2);
        QVERIFY2(chat.lightness() < 128, qPrintable(chat.name()));
    }

    void aboutBoxNamesTheEngines()
    {
        QString text;
        QTimer::singleShot(300, this, [&text] {
            if (auto *box = qobject_cast<QMessageBox *>(QApplication::activeModalWidget())) {
                test::saveScreenshot(box, QStringLiteral("09-about"));
                text = box->text() + box->informativeText();
                box->accept();
            }
        });
        m_ui.window->findChild<QAction *>(QStringLiteral("about"))->trigger();
        QVERIFY(text.contains(QLatin1String("Poppler")));
        QVERIFY(text.contains(QLatin1String("Tesseract")));
        QVERIFY(text.contains(QString::fromLatin1(qVersion())));
        // The engines' own version strings, not just their names.
        const QRegularExpression version(QStringLiteral("^\\d+\\.\\d+"));
        QVERIFY2(version.match(PageRenderer::popplerVersion()).hasMatch(), qPrintable(PageRenderer::popplerVersion()));
        QVERIFY2(version.match(ocr::version()).hasMatch(), qPrintable(ocr::version()));
        QVERIFY(text.contains(PageRenderer::popplerVersion()));
        QVERIFY(text.contains(ocr::version()));
    }

    void settingsDialogShowsProviders()
    {
        ProviderService providers;
        SettingsDialog dialog(m_ui.window->settings(), &providers, m_ui.window.get());
        dialog.show();
        QVERIFY(QTest::qWaitForWindowExposed(&dialog));
        const QImage shot = test::saveScreenshot(&dialog, QStringLiteral("07-settings"));
        QVERIFY(test::distinctColours(shot) >= 16);
        const AppSettings edited = dialog.settings();
        QVERIFY(edited.provider(ProviderKind::Extractive).enabled);
        dialog.reject();
    }

private:
    test::WindowFixture m_ui;
};

QTEST_MAIN(TestUiFlow)
#include "tst_uiflow.moc"
