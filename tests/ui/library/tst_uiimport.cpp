// Imports through the window: cancelling one, failing ones showing their reason with a retry in place,
// the password prompt for encrypted PDFs (answered by an injected prompt), and drag-and-drop.
#include "../uitestsupport.h"
#include "library/librarymodel.h"
#include "library/librarypanel.h"
#include "shell/mainwindow.h"
#include "viewer/documentviewer.h"

#include "store/library.h"

#include "testsupport.h"

#include <QAction>
#include <QDir>
#include <QFile>
#include <QMimeData>
#include <QPushButton>
#include <QSignalSpy>
#include <QTest>

using namespace docsight;

class TestUiImport final : public QObject
{
    Q_OBJECT

private:
    std::optional<DocumentRecord> recordByName(const QString &name) const
    {
        LibraryModel *model = m_ui.window->libraryModel();
        for (int row = 0; row < model->rowCount(); ++row) {
            const auto r = model->record(model->index(row, 0));
            if (r && r->name == name)
                return r;
        }
        return std::nullopt;
    }

    QPushButton *visibleButton(QWidget *in, const QString &text) const
    {
        for (QPushButton *b : in->findChildren<QPushButton *>()) {
            if (b->text() == text && b->isVisible())
                return b;
        }
        return nullptr;
    }

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

    void cancelsAnImportAndOffersRetry()
    {
        QSignalSpy progress(m_ui.window->ingestQueue(), &IngestQueue::progress);
        QSignalSpy finished(m_ui.window->ingestQueue(), &IngestQueue::finished);
        m_ui.window->importPaths({test::corpusPath(QStringLiteral("scans/shared-mime-info-spec-p5-8-scanned.pdf"))});
        // Wait until it is being read (registered, pages under way), as an analyst would see it.
        qint64 id = 0;
        QTRY_VERIFY_WITH_TIMEOUT(([&] {
                                     for (const QList<QVariant> &args : std::as_const(progress)) {
                                         const auto p = args.first().value<ImportProgress>();
                                         if (p.stage == ImportStage::Reading && p.documentId != 0)
                                             id = p.documentId;
                                     }
                                     return id != 0;
                                 }()),
                                 60000);
        QTRY_VERIFY(m_ui.window->libraryModel()->indexOf(id).isValid());
        QVERIFY(m_ui.window->libraryModel()->indexOf(id, LibraryModel::Status).data(LibraryModel::ProgressRole).toInt() >= 0);
        const QImage importing = test::saveScreenshot(m_ui.window.get(), QStringLiteral("10-importing"));
        QVERIFY(test::distinctColours(importing) >= 16);

        m_ui.window->libraryPanel()->selectDocument(id);
        QAction *cancel = m_ui.window->findChild<QAction *>(QStringLiteral("cancelImport"));
        QVERIFY(cancel);
        QTRY_VERIFY(cancel->isEnabled());
        cancel->trigger();
        QTRY_COMPARE_WITH_TIMEOUT(finished.count(), 1, 60000);
        const auto outcome = finished.first().first().value<ImportOutcome>();
        QVERIFY(outcome.result == ImportOutcome::Result::Cancelled || outcome.errorKind == QLatin1String("cancelled"));
        QTRY_COMPARE(m_ui.window->libraryModel()->recordById(id)->status, DocumentStatus::Failed);
        QCOMPARE(m_ui.window->libraryModel()->recordById(id)->errorKind, QStringLiteral("cancelled"));

        // The viewer explains it in place, with a retry.
        DocumentViewer *viewer = m_ui.window->viewer();
        QTRY_COMPARE(viewer->documentId(), id);
        QTRY_VERIFY(visibleButton(viewer, QStringLiteral("Retry Import")) != nullptr);
        const QImage failed = test::saveScreenshot(m_ui.window.get(), QStringLiteral("11-cancelled-with-retry"));
        QVERIFY(test::distinctColours(failed) >= 16);

        // Retry reads it again; cancel once more so the test does not wait for the OCR.
        finished.clear();
        QVERIFY(test::clickWhenLaidOut(visibleButton(viewer, QStringLiteral("Retry Import"))));
        QTRY_VERIFY_WITH_TIMEOUT(m_ui.window->libraryModel()->recordById(id)->status != DocumentStatus::Failed, 30000);
        m_ui.window->ingestQueue()->cancelDocument(id);
        QTRY_COMPARE_WITH_TIMEOUT(finished.count(), 1, 60000);
    }

    void asksForThePasswordOfAnEncryptedPdf()
    {
        struct Call {
            QString name;
            bool wrong = false;
        };
        QList<Call> calls;
        m_ui.window->setPasswordPrompt([&calls](const QString &name, bool wrong) -> std::optional<QString> {
            calls.append({name, wrong});
            return calls.size() == 1 ? QStringLiteral("not-it") : QStringLiteral("peanuts");
        });
        m_ui.window->importPaths({test::corpusPath(QStringLiteral("encrypted/a-text-pass-peanuts.pdf"))});
        QTRY_VERIFY_WITH_TIMEOUT(recordByName(QStringLiteral("a-text-pass-peanuts.pdf"))
                                     && recordByName(QStringLiteral("a-text-pass-peanuts.pdf"))->status == DocumentStatus::Ready,
                                 60000);
        QCOMPARE(calls.size(), 2);
        QCOMPARE(calls.at(0).name, QStringLiteral("a-text-pass-peanuts.pdf"));
        QVERIFY(!calls.at(0).wrong);
        QVERIFY(calls.at(1).wrong);

        // The password entered is kept for this session, so the viewer can draw the pages.
        const qint64 id = recordByName(QStringLiteral("a-text-pass-peanuts.pdf"))->id;
        m_ui.window->libraryPanel()->selectDocument(id);
        DocumentViewer *viewer = m_ui.window->viewer();
        QTRY_COMPARE(viewer->documentId(), id);
        QTRY_VERIFY(!viewer->isLoading());
        QTRY_VERIFY_WITH_TIMEOUT(!viewer->hasPendingRenders(), 30000);
        QVERIFY(viewer->isShowingImages());
        QVERIFY(!visibleButton(viewer, QStringLiteral("Enter Password…")));
    }

    void declinedPasswordLeavesTheReasonAndAWayBack()
    {
        m_ui.window->setPasswordPrompt([](const QString &, bool) { return std::optional<QString>(); });
        m_ui.window->importPaths({test::corpusPath(QStringLiteral("encrypted/PasswordEncrypted.pdf"))});
        QTRY_VERIFY_WITH_TIMEOUT(recordByName(QStringLiteral("PasswordEncrypted.pdf"))
                                     && recordByName(QStringLiteral("PasswordEncrypted.pdf"))->status == DocumentStatus::Failed,
                                 60000);
        const DocumentRecord doc = *recordByName(QStringLiteral("PasswordEncrypted.pdf"));
        QCOMPARE(doc.errorKind, QStringLiteral("password-required"));
        m_ui.window->libraryPanel()->selectDocument(doc.id);
        QTRY_VERIFY(visibleButton(m_ui.window->viewer(), QStringLiteral("Enter Password…")) != nullptr);
        const QImage shot = test::saveScreenshot(m_ui.window.get(), QStringLiteral("12-password-required"));
        QVERIFY(test::distinctColours(shot) >= 16);
    }

    void importsFilesDroppedOnTheWindow()
    {
        const QString path = m_ui.dir.filePath(QStringLiteral("dropped-notes.txt"));
        QFile f(path);
        QVERIFY(f.open(QIODevice::WriteOnly));
        f.write("Dropped notes.\n\nThe quarterly review found three open risks in the supplier contract.\n");
        f.close();
        QMimeData mime;
        mime.setUrls({QUrl::fromLocalFile(path)});
        const QPoint centre = m_ui.window->rect().center();
        QDragEnterEvent enter(centre, Qt::CopyAction, &mime, Qt::LeftButton, Qt::NoModifier);
        QApplication::sendEvent(m_ui.window.get(), &enter);
        QVERIFY(enter.isAccepted());
        QDropEvent drop(centre, Qt::CopyAction, &mime, Qt::LeftButton, Qt::NoModifier);
        QApplication::sendEvent(m_ui.window.get(), &drop);
        QTRY_VERIFY_WITH_TIMEOUT(recordByName(QStringLiteral("dropped-notes.txt"))
                                     && recordByName(QStringLiteral("dropped-notes.txt"))->status == DocumentStatus::Ready,
                                 60000);
        // Text documents have no page images: the viewer shows their text.
        m_ui.window->libraryPanel()->selectDocument(recordByName(QStringLiteral("dropped-notes.txt"))->id);
        QTRY_VERIFY(!m_ui.window->viewer()->isLoading());
        QTRY_COMPARE(m_ui.window->viewer()->pageCount(), 1);
        QVERIFY(!m_ui.window->viewer()->isShowingImages());
        const QImage shot = test::saveScreenshot(m_ui.window.get(), QStringLiteral("13-text-document"));
        QVERIFY(test::distinctColours(shot) >= 16);
    }

    void keepsEveryFileWhenFilesAndAFolderAreAddedTogether()
    {
        // Add Files with one file, then at once Add Folder with many (what the two actions hand the
        // library): every file becomes a ready document, none is left queued or unmentioned.
        const QString folder = m_ui.dir.filePath(QStringLiteral("folder-of-notes"));
        QVERIFY(QDir().mkpath(folder));
        constexpr int kNotes = 300;
        for (int i = 0; i < kNotes; ++i) {
            QFile f(QStringLiteral("%1/note-%2.txt").arg(folder).arg(i, 3, 10, QLatin1Char('0')));
            QVERIFY(f.open(QIODevice::WriteOnly));
            f.write(QStringLiteral("Field note %1\n\nSurvey line %1 crossed the northern ridge at marker %2.\n").arg(i).arg(i * 7).toUtf8());
        }
        const QString single = m_ui.dir.filePath(QStringLiteral("single-memo.txt"));
        {
            QFile f(single);
            QVERIFY(f.open(QIODevice::WriteOnly));
            f.write("Memo\n\nThe ridge survey is due at the end of the month.\n");
        }
        m_ui.window->importPaths({single});
        m_ui.window->importPaths({folder});
        const auto counts = [&] {
            int ready = 0;
            int other = 0;
            LibraryModel *model = m_ui.window->libraryModel();
            for (int row = 0; row < model->rowCount(); ++row) {
                const auto r = model->record(model->index(row, 0));
                if (!r || !(r->name.startsWith(QLatin1String("note-")) || r->name == QLatin1String("single-memo.txt")))
                    continue;
                (r->status == DocumentStatus::Ready ? ready : other) += 1;
            }
            return std::make_pair(ready, other);
        };
        QTRY_VERIFY_WITH_TIMEOUT(counts().first == kNotes + 1, 240000);
        QCOMPARE(counts().second, 0);
    }

private:
    test::WindowFixture m_ui;
};

QTEST_MAIN(TestUiImport)
#include "tst_uiimport.moc"
