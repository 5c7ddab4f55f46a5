// The first run: with no library chosen before, the application opens a new library on the sample
// documents (once per user) and the chat offers questions about them that it can answer.
#include "../uitestsupport.h"
#include "chat/answerview.h"
#include "chat/chatpanel.h"
#include "library/librarymodel.h"
#include "shell/appsession.h"
#include "shell/mainwindow.h"
#include "shell/startupplan.h"

#include <QDir>
#include <QFileInfo>
#include <QPushButton>
#include <QSignalSpy>
#include <QTest>

using namespace docsight;

class TestUiFirstRun final : public QObject
{
    Q_OBJECT

private:
    QStringList suggestions() const
    {
        QStringList out;
        for (const QPushButton *b : m_session->window()->chatPanel()->findChildren<QPushButton *>(QStringLiteral("suggestion")))
            out.append(b->text());
        return out;
    }

private Q_SLOTS:
    void initTestCase()
    {
        QVERIFY(m_dir.isValid());
        test::isolateSettings(m_dir);
        qunsetenv("DOCSIGHT_LIBRARY");
        m_samples = QDir(QString::fromUtf8(QT_TESTCASE_SOURCEDIR) + QStringLiteral("/../../resources/samples")).absolutePath();
        QVERIFY(QFileInfo::exists(m_samples + QStringLiteral("/R-intro.pdf")));
    }

    void cleanupTestCase()
    {
        if (m_session && m_session->window())
            m_session->window()->close();
        m_session.reset();
    }

    void firstRunPlansTheSamplesOnce()
    {
        const StartupPlan first = planStartup({}, {}, m_samples);
        QVERIFY2(first.firstRun, qPrintable(first.libraryFolder));
        // The sample documents, not the README that says where they come from.
        QCOMPARE(first.toImport, sampleDocuments(m_samples));
        QCOMPARE(first.toImport.size(), 4);
        for (const QString &path : first.toImport)
            QVERIFY2(!QFileInfo(path).fileName().startsWith(QLatin1String("README")), qPrintable(path));
        QVERIFY(first.libraryFolder.endsWith(QLatin1String("/library")));
        // Offered once: a user who removed the samples does not get them back.
        const StartupPlan again = planStartup({}, {}, m_samples);
        QVERIFY(again.firstRun);
        QVERIFY(again.toImport.isEmpty());
        // A library named with --library is not a first run.
        QVERIFY(!planStartup(m_dir.filePath(QStringLiteral("elsewhere")), {}, m_samples).firstRun);
    }

    void opensOnTheSamplesWithQuestionsItCanAnswer()
    {
        // The plan's folder is the per-user one; the test opens the same plan on a folder of its own.
        m_session = std::make_unique<AppSession>();
        QSignalSpy shown(m_session.get(), &AppSession::windowShown);
        m_session->open(m_dir.filePath(QStringLiteral("library")), sampleDocuments(m_samples));
        QTRY_COMPARE_WITH_TIMEOUT(shown.count(), 1, 30000);
        MainWindow *window = m_session->window();
        QVERIFY(window);
        LibraryModel *model = window->libraryModel();
        const auto allReady = [model] {
            int ready = 0;
            for (int row = 0; row < model->rowCount(); ++row)
                ready += model->record(model->index(row, 0))->status == DocumentStatus::Ready ? 1 : 0;
            return ready;
        };
        // R-intro.pdf, shared-mime-info-spec.pdf, a .docx and a .tif (OCR).
        const int samples = static_cast<int>(sampleDocuments(m_samples).size());
        QCOMPARE(samples, 4);
        QTRY_COMPARE_WITH_TIMEOUT(allReady(), samples, 600000);
        QCOMPARE(model->rowCount(), samples);

        // The last library is remembered: the next start is not a first run.
        const StartupPlan next = planStartup({}, {}, m_samples);
        QVERIFY(!next.firstRun);
        QCOMPARE(QDir(next.libraryFolder).canonicalPath(), QDir(m_dir.filePath(QStringLiteral("library"))).canonicalPath());

        QTRY_VERIFY2(suggestions().contains(QStringLiteral("How do I write my own function in R?")),
                     qPrintable(suggestions().join(QLatin1Char('|'))));
        QVERIFY2(suggestions().contains(QStringLiteral("What does a glob pattern match?")),
                 qPrintable(suggestions().join(QLatin1Char('|'))));
        const QImage shot = test::saveScreenshot(window, QStringLiteral("18-first-run-samples"));
        QVERIFY(test::distinctColours(shot) >= 32);

        // A suggestion is a question the offline answerer can answer from the samples.
        QPushButton *r = nullptr;
        for (QPushButton *b : window->chatPanel()->findChildren<QPushButton *>(QStringLiteral("suggestion"))) {
            if (b->text() == QLatin1String("How do I write my own function in R?"))
                r = b;
        }
        QVERIFY(r);
        QVERIFY(test::clickWhenLaidOut(r)); // the suggestions were just (re)built
        QTRY_COMPARE(window->chatPanel()->answerViews().size(), 1);
        AnswerView *view = window->chatPanel()->answerViews().first();
        QTRY_VERIFY_WITH_TIMEOUT(!view->isStreaming(), 60000);
        QVERIFY2(view->answer().ok(), qPrintable(view->answer().errorMessage));
        QVERIFY2(!view->answer().declined && !view->answer().citations.isEmpty(), qPrintable(view->answer().text));
        QCOMPARE(view->answer().citations.first().document, QStringLiteral("R-intro.pdf"));
    }

private:
    QTemporaryDir m_dir;
    QString m_samples;
    std::unique_ptr<AppSession> m_session;
};

QTEST_MAIN(TestUiFirstRun)
#include "tst_uifirstrun.moc"
