// The chat's scope: "Selected documents" answers from the documents selected in the library only, even
// when another document answers the question better; "All documents" searches everything again.
#include "../uitestsupport.h"
#include "chat/answerview.h"
#include "chat/chatpanel.h"
#include "library/indexcontroller.h"
#include "library/librarymodel.h"
#include "library/librarypanel.h"
#include "shell/mainwindow.h"

#include "store/library.h"

#include "testsupport.h"

#include <QComboBox>
#include <QSignalSpy>
#include <QTest>

using namespace docsight;

class TestUiChatScope final : public QObject
{
    Q_OBJECT

private:
    QComboBox *scope() const
    {
        for (QComboBox *box : m_ui.window->chatPanel()->findChildren<QComboBox *>()) {
            if (box->accessibleName() == QLatin1String("Documents to search"))
                return box;
        }
        return nullptr;
    }

    // Asks with the offline extractive answerer and returns the finished answer.
    Answer ask(const QString &question)
    {
        ChatPanel *chat = m_ui.window->chatPanel();
        const qsizetype before = chat->answerViews().size();
        chat->ask(question);
        if (!QTest::qWaitFor([&] { return chat->answerViews().size() == before + 1; }, 10000))
            return {};
        AnswerView *view = chat->answerViews().constLast();
        (void)QTest::qWaitFor([view] { return !view->isStreaming(); }, 60000);
        return view->answer();
    }

private Q_SLOTS:
    void initTestCase()
    {
        const QString error = m_ui.open(QSize(1400, 860));
        QVERIFY2(error.isEmpty(), qPrintable(error));
        QSignalSpy finished(m_ui.window->ingestQueue(), &IngestQueue::finished);
        m_ui.window->importPaths({test::corpusPath(QStringLiteral("pdf/shared-mime-info-spec.pdf")),
                               test::corpusPath(QStringLiteral("pdf/debian-refcard-en-a4.pdf"))});
        QTRY_COMPARE_WITH_TIMEOUT(finished.count(), 2, 120000);
        for (const QList<QVariant> &args : std::as_const(finished)) {
            const auto o = args.first().value<ImportOutcome>();
            QCOMPARE(o.result, ImportOutcome::Result::Imported);
            (o.name == QLatin1String("shared-mime-info-spec.pdf") ? m_spec : m_refcard) = o.documentId;
        }
        QTRY_VERIFY_WITH_TIMEOUT(!m_ui.window->indexController()->isBusy(), 60000);
        QCOMPARE(m_ui.window->chatPanel()->currentProvider(), ProviderKind::Extractive);
        QVERIFY(scope());
    }

    void cleanupTestCase()
    {
        m_ui.close();
    }

    void selectedScopeCitesOnlyTheSelectedDocument()
    {
        // The reference card answers this best ("List contents of package file"); the spec is selected.
        m_ui.window->libraryPanel()->selectDocument(m_spec);
        QTRY_COMPARE(m_ui.window->libraryPanel()->selectedIds(), QList<qint64>{m_spec});
        scope()->setCurrentIndex(1);
        QVERIFY(m_ui.window->chatPanel()->scopeIsSelection());
        QCOMPARE(scope()->currentText(), QStringLiteral("Selected documents (1)"));

        const Answer answer = ask(QStringLiteral("How do I list the files in a package?"));
        QVERIFY2(answer.ok(), qPrintable(answer.errorMessage));
        QVERIFY(!answer.declined);
        QVERIFY(!answer.citations.isEmpty());
        for (const Citation &c : answer.citations)
            QCOMPARE(c.documentId, m_spec);
        QVERIFY(!answer.sources.isEmpty());
        for (const RetrievedPassage &p : answer.sources)
            QCOMPARE(p.documentId, m_spec);
        QCOMPARE(m_ui.window->chatPanel()->conversation().turns.constLast().scope, QList<qint64>{m_spec});
        AnswerView *view = m_ui.window->chatPanel()->answerViews().constLast();
        QVERIFY(!view->sourceButtons().isEmpty());
        QVERIFY(!view->plainText().contains(QLatin1String("debian-refcard")));
        const QImage shot = test::saveScreenshot(m_ui.window.get(), QStringLiteral("17-chat-scope-selected"));
        QVERIFY(test::distinctColours(shot) >= 32);
    }

    void allDocumentsScopeSearchesEverythingAgain()
    {
        scope()->setCurrentIndex(0);
        QVERIFY(!m_ui.window->chatPanel()->scopeIsSelection());
        const Answer answer = ask(QStringLiteral("How do I list the files in a package?"));
        QVERIFY2(answer.ok(), qPrintable(answer.errorMessage));
        bool refcard = false;
        for (const Citation &c : answer.citations)
            refcard = refcard || c.documentId == m_refcard;
        QVERIFY2(refcard, "with every document in scope, the reference card should be cited");
    }

private:
    test::WindowFixture m_ui;
    qint64 m_spec = 0;
    qint64 m_refcard = 0;
};

QTEST_MAIN(TestUiChatScope)
#include "tst_uichatscope.moc"
