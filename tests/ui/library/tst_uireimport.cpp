// "Re-run OCR" through the window: offered for Ready and Failed documents, confirmed before a Ready one
// is read again (optionally with OCR on every page), progress in the library while it runs, chat still
// answering from the other documents, and cancel.
#include "../uitestsupport.h"
#include "chat/answerview.h"
#include "chat/chatpanel.h"
#include "library/librarymodel.h"
#include "library/librarypanel.h"
#include "shell/mainwindow.h"

#include "library/librarycontroller.h"
#include "viewer/documentviewer.h"

#include "store/documentstore.h"
#include "store/library.h"

#include "testsupport.h"

#include <QAction>
#include <QCheckBox>
#include <QFile>
#include <QMessageBox>
#include <QPushButton>
#include <QSignalSpy>
#include <QTableView>
#include <QTest>
#include <QTimer>

using namespace docsight;

namespace {

// Runs fn on the next modal dialog to open: exec() blocks whoever opened it, so poll from the event loop.
QTimer *onNextModal(std::function<void(QWidget *)> fn)
{
    auto *timer = new QTimer;
    timer->setInterval(20);
    QObject::connect(timer, &QTimer::timeout, timer, [timer, fn = std::move(fn)] {
        if (QWidget *modal = QApplication::activeModalWidget()) {
            timer->stop();
            timer->deleteLater();
            fn(modal);
        }
    });
    timer->start();
    return timer;
}

QAbstractButton *buttonNamed(QMessageBox *box, const QString &text)
{
    for (QAbstractButton *b : box->buttons()) {
        if (b->text() == text)
            return b;
    }
    return nullptr;
}

} // namespace

class TestUiReimport final : public QObject
{
    Q_OBJECT

private:
    LibraryModel *model() const { return m_ui.window->libraryModel(); }
    DocumentRecord record(qint64 id) const { return model()->recordById(id).value_or(DocumentRecord()); }
    QAction *rerunOcr() const { return m_ui.window->findChild<QAction *>(QStringLiteral("rerunOcr")); }

    // Triggers Re-run OCR and answers its confirmation; returns whether one was asked.
    bool rerun(bool confirm, bool forceOcr)
    {
        bool asked = false;
        QPointer<QTimer> watch = onNextModal([&](QWidget *modal) {
            auto *box = qobject_cast<QMessageBox *>(modal);
            asked = box && box->objectName() == QLatin1String("confirmReimport");
            if (!asked) {
                modal->close();
                return;
            }
            test::saveScreenshot(box, QStringLiteral("15-confirm-rerun-ocr"));
            box->checkBox()->setChecked(forceOcr);
            (confirm ? buttonNamed(box, QStringLiteral("Re-run OCR")) : box->button(QMessageBox::Cancel))->click();
        });
        rerunOcr()->trigger();
        delete watch; // no dialog: stop watching
        return asked;
    }

private Q_SLOTS:
    void initTestCase()
    {
        const QString error = m_ui.open(QSize(1400, 860));
        QVERIFY2(error.isEmpty(), qPrintable(error));
        QSignalSpy finished(m_ui.window->ingestQueue(), &IngestQueue::finished);
        m_ui.window->importPaths({test::corpusPath(QStringLiteral("pdf/a-text.pdf")),
                               test::corpusPath(QStringLiteral("pdf/debian-refcard-en-a4.pdf")),
                               test::corpusPath(QStringLiteral("pdf/shared-mime-info-spec.pdf"))});
        QTRY_COMPARE_WITH_TIMEOUT(finished.count(), 3, 120000);
        for (const QList<QVariant> &args : std::as_const(finished)) {
            const auto o = args.first().value<ImportOutcome>();
            QCOMPARE(o.result, ImportOutcome::Result::Imported);
            if (o.name == QLatin1String("a-text.pdf"))
                m_text = o.documentId;
            else
                (o.name == QLatin1String("shared-mime-info-spec.pdf") ? m_long : m_other) = o.documentId;
        }
        QTRY_COMPARE(record(m_text).status, DocumentStatus::Ready);
        QTRY_COMPARE(record(m_other).status, DocumentStatus::Ready);
    }

    void cleanupTestCase()
    {
        m_ui.close();
    }

    void offeredForReadyDocumentsOnly()
    {
        m_ui.window->libraryPanel()->table()->clearSelection();
        QTRY_VERIFY(!rerunOcr()->isEnabled());
        m_ui.window->libraryPanel()->selectDocument(m_text);
        QTRY_VERIFY(rerunOcr()->isEnabled());
    }

    void decliningChangesNothing()
    {
        const DocumentRecord before = record(m_text);
        QVERIFY(rerun(false, true));
        QTest::qWait(300);
        QVERIFY(m_ui.window->ingestQueue()->isIdle());
        QCOMPARE(record(m_text).status, DocumentStatus::Ready);
        QCOMPARE(record(m_text).chunkCount, before.chunkCount);
        QCOMPARE(record(m_text).ocrPages, 0);
    }

    void rereadsEveryPageWithProgressWhileChatStillAnswers()
    {
        const DocumentRecord before = record(m_text);
        QSignalSpy finished(m_ui.window->ingestQueue(), &IngestQueue::finished);
        QVERIFY(rerun(true, true));
        // The library shows the pages being read.
        const QModelIndex status = model()->indexOf(m_text, LibraryModel::Status);
        QTRY_VERIFY_WITH_TIMEOUT(status.data().toString().contains(QLatin1String("page")), 30000);
        QVERIFY(status.data(LibraryModel::ProgressRole).toInt() >= 0);
        QTRY_VERIFY(m_ui.window->findChild<QAction *>(QStringLiteral("cancelImport"))->isEnabled());
        const QImage shot = test::saveScreenshot(m_ui.window.get(), QStringLiteral("14-rerun-ocr"));
        QVERIFY(test::distinctColours(shot) >= 16);

        // Meanwhile the other document answers questions.
        ChatPanel *chat = m_ui.window->chatPanel();
        chat->ask(QStringLiteral("How do I query installed packages?"));
        QTRY_COMPARE(chat->answerViews().size(), 1);
        AnswerView *view = chat->answerViews().constLast();
        QTRY_VERIFY_WITH_TIMEOUT(!view->isStreaming(), 60000);
        QVERIFY2(view->answer().ok(), qPrintable(view->answer().errorMessage));
        QVERIFY(!view->answer().citations.isEmpty());
        QCOMPARE(view->answer().citations.first().documentId, m_other);

        QTRY_COMPARE_WITH_TIMEOUT(finished.count(), 1, 300000);
        QCOMPARE(finished.first().first().value<ImportOutcome>().result, ImportOutcome::Result::Imported);
        QTRY_COMPARE(record(m_text).status, DocumentStatus::Ready);
        const DocumentRecord after = record(m_text);
        QCOMPARE(after.id, before.id);
        QCOMPARE(after.name, before.name);
        QCOMPARE(after.pageCount, before.pageCount);
        QCOMPARE(after.ocrPages, after.pageCount); // text-layer pages OCR'd too
        QVERIFY(after.chunkCount > 0);
    }

    void cancelsARerunAndRereadsTheFailedDocumentWithoutAsking()
    {
        // OCR of the spec's 17 pages takes long enough to cancel.
        QSignalSpy finished(m_ui.window->ingestQueue(), &IngestQueue::finished);
        m_ui.window->libraryPanel()->selectDocument(m_long);
        QTRY_VERIFY(rerunOcr()->isEnabled());
        QVERIFY(rerun(true, true));
        QAction *cancel = m_ui.window->findChild<QAction *>(QStringLiteral("cancelImport"));
        QTRY_VERIFY_WITH_TIMEOUT(cancel->isEnabled(), 30000);
        cancel->trigger();
        QTRY_COMPARE_WITH_TIMEOUT(finished.count(), 1, 60000);
        QCOMPARE(finished.first().first().value<ImportOutcome>().result, ImportOutcome::Result::Cancelled);
        QTRY_COMPARE(record(m_long).status, DocumentStatus::Failed);
        QCOMPARE(record(m_long).errorKind, QStringLiteral("cancelled"));
        QCOMPARE(record(m_long).chunkCount, 0);

        // A failed document has nothing to lose: no confirmation. It is read the way it was asked for.
        finished.clear();
        QTRY_VERIFY(rerunOcr()->isEnabled());
        QVERIFY(!rerun(true, false));
        QTRY_COMPARE_WITH_TIMEOUT(finished.count(), 1, 300000);
        QTRY_COMPARE(record(m_long).status, DocumentStatus::Ready);
        QCOMPARE(record(m_long).ocrPages, record(m_long).pageCount);
        QVERIFY(record(m_long).chunkCount > 0);
    }

    void anOldCitationFindsItsTextAfterTheDocumentIsReadAgain()
    {
        // A text file whose stored copy is read again with different content: the words the old
        // citation recorded moved (as after a re-OCR that reads more or less), or are gone.
        const QString path = m_ui.dir.filePath(QStringLiteral("notes.txt"));
        QVERIFY(QFile::copy(test::corpusPath(QStringLiteral("scans/phototest.txt")), path));
        QSignalSpy finished(m_ui.window->ingestQueue(), &IngestQueue::finished);
        m_ui.window->importPaths({path});
        QTRY_COMPARE_WITH_TIMEOUT(finished.count(), 1, 60000);
        const qint64 notes = finished.first().first().value<ImportOutcome>().documentId;
        QTRY_COMPARE(record(notes).status, DocumentStatus::Ready);

        ChatPanel *chat = m_ui.window->chatPanel();
        chat->ask(QStringLiteral("Which dog jumped over the lazy fox?"));
        QTRY_VERIFY(!chat->answerViews().isEmpty());
        AnswerView *view = chat->answerViews().constLast();
        QTRY_VERIFY_WITH_TIMEOUT(!view->isStreaming(), 60000);
        QVERIFY2(view->answer().ok(), qPrintable(view->answer().errorMessage));
        const auto citations = view->answer().citations;
        const auto it = std::find_if(citations.cbegin(), citations.cend(), [&](const Citation &c) { return c.documentId == notes; });
        QVERIFY(it != citations.cend());
        const Citation cited = *it;
        const int citedIndex = static_cast<int>(it - citations.cbegin());
        QVERIFY(cited.quote.contains(QLatin1String("lazy fox")));

        DocumentViewer *viewer = m_ui.window->viewer();
        const auto open = [&] {
            QSignalSpy shown(viewer, &DocumentViewer::passageShown);
            Q_EMIT view->citationActivated(citedIndex); // as a click on its source chip does
            QTRY_VERIFY(!shown.isEmpty());
        };
        open();
        QCOMPARE(viewer->highlightedText().simplified(), cited.quote);
        QVERIFY(viewer->noticeText().isEmpty());

        const auto rereadAs = [&](const QByteArray &content) {
            const auto doc = DocumentStore(m_ui.library).byId(notes);
            QVERIFY(doc);
            QFile stored(DocumentStore(m_ui.library).absoluteStoredPath(*doc));
            QVERIFY(stored.open(QIODevice::WriteOnly | QIODevice::Truncate));
            stored.write(content);
            stored.close();
            // The window hears of the outcome on its own thread (the queue's signal comes from a
            // worker), and then reloads the open document.
            auto *library = m_ui.window->findChild<LibraryController *>();
            QVERIFY(library);
            QSignalSpy reread(library, &LibraryController::documentFinished);
            QString error;
            QVERIFY2(m_ui.window->ingestQueue()->reimport(notes, {}, &error) != 0, qPrintable(error));
            QTRY_COMPARE_WITH_TIMEOUT(reread.count(), 1, 60000);
            QTRY_COMPARE(record(notes).status, DocumentStatus::Ready);
        };

        // Moved: a paragraph now comes first, so the recorded span holds other words.
        QFile original(test::corpusPath(QStringLiteral("scans/phototest.txt")));
        QVERIFY(original.open(QIODevice::ReadOnly));
        const QByteArray text = original.readAll();
        rereadAs("A preface that the first reading did not have, long enough to move every word after it.\n\n" + text);
        // The open page reloads and its highlight follows the words without another click.
        QTRY_COMPARE(viewer->highlightedText().simplified(), cited.quote);
        open();
        QCOMPARE(viewer->highlightPage(), cited.page);
        QCOMPARE(viewer->highlightedText().simplified(), cited.quote);
        QVERIFY(viewer->noticeText().isEmpty());

        // Gone: the sentence is no longer there. The page opens without a highlight, and says why.
        rereadAs(QByteArray(text).replace("lazy fox", "sleepy cat"));
        open();
        QVERIFY(viewer->highlightedText().isEmpty());
        QVERIFY(viewer->highlightRects().isEmpty());
        QVERIFY2(viewer->noticeText().contains(QLatin1String("read again")), qPrintable(viewer->noticeText()));
        test::saveScreenshot(m_ui.window.get(), QStringLiteral("16-citation-text-gone"));

        // A citation whose text is where it was clears that note again.
        rereadAs(text);
        open();
        QCOMPARE(viewer->highlightedText().simplified(), cited.quote);
        QVERIFY(viewer->noticeText().isEmpty());
    }

private:
    test::WindowFixture m_ui;
    qint64 m_text = 0;
    qint64 m_other = 0;
    qint64 m_long = 0;
};

QTEST_MAIN(TestUiReimport)
#include "tst_uireimport.moc"
