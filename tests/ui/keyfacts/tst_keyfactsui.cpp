// Key-fact extraction in the desktop UI, through the window on a real library: Document → Extract Key Facts…
// is offered for exactly one ready document; the offline rules fill the table with what KeyFactExtractor (the
// engine behind `docsight-cli extract --json`) reads, and the extraction is audited; activating a fact shows its
// page in the viewer with the quote highlighted; Copy as JSON copies the CLI's JSON; a provider on loopback
// reads the document through the model (method "model", usage metered), and a reply that is not the schema
// falls back to the rules with the warning shown above the table. Screenshots go to <build>/tests/ui/screenshots.
#include "../uitestsupport.h"
#include "chat/chatpanel.h"
#include "keyfacts/keyfactsdialog.h"
#include "library/librarymodel.h"
#include "library/librarypanel.h"
#include "shell/mainwindow.h"
#include "viewer/documentviewer.h"

#include "audit/auditlog.h"
#include "governance/usagemeter.h"
#include "llm/keyfactextractor.h"
#include "store/documentstore.h"
#include "store/library.h"

#include "../../llm/providerfixtures.h"
#include "loopbackserver.h"
#include "testsupport.h"

#include <QAction>
#include <QApplication>
#include <QClipboard>
#include <QComboBox>
#include <QDir>
#include <QElapsedTimer>
#include <QJsonArray>
#include <QJsonDocument>
#include <QLabel>
#include <QMutex>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QRadioButton>
#include <QSignalSpy>
#include <QTableView>
#include <QTableWidget>
#include <QTest>

using namespace docsight;

namespace {

QString dataPath(const QString &name)
{
    return QDir(QStringLiteral(GOVERNANCE_TEST_DATA)).absoluteFilePath(name);
}

QJsonObject fact(const QString &field, const QString &value, const QString &source, const QString &quote)
{
    return {{QStringLiteral("field"), field}, {QStringLiteral("value"), value}, {QStringLiteral("source"), source},
            {QStringLiteral("quote"), quote}};
}

QString factsReply(const QJsonArray &facts)
{
    return QString::fromUtf8(QJsonDocument(QJsonObject{{QStringLiteral("facts"), facts}}).toJson());
}

// An OpenAI-compatible server on loopback that lists one model and answers every chat with the reply given.
struct ScriptedServer {
    QMutex mutex;
    QString reply;
    std::chrono::milliseconds delay{0};
    test::LoopbackServer server; // last: stopped before what its handler uses is destroyed

    ScriptedServer()
    {
        server.setHandler([this](const test::LoopbackRequest &r) {
            if (r.path.endsWith("/models"))
                return test::LoopbackResponse::json(200, QByteArrayLiteral("{\"data\":[{\"id\":\"facts-model\"}]}"));
            QMutexLocker lock(&mutex);
            return test::LoopbackResponse::sse(test::openAiStream({reply}, 700, 60), delay);
        });
    }
    void setReply(const QString &r)
    {
        QMutexLocker lock(&mutex);
        reply = r;
    }
    int chatRequests() const
    {
        int n = 0;
        for (const test::LoopbackRequest &r : server.requests())
            n += r.path.endsWith("/chat/completions") ? 1 : 0;
        return n;
    }
};

} // namespace

class TestKeyFactsUi final : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase()
    {
        const QString error = m_ui.open(QSize(1400, 900));
        QVERIFY2(error.isEmpty(), qPrintable(error));

        QSignalSpy finished(m_ui.window->ingestQueue(), &IngestQueue::finished);
        m_ui.window->importPaths({dataPath(QStringLiteral("invoice-kestrel-design.txt")),
                               dataPath(QStringLiteral("contract-fenwick-services.txt")),
                               test::corpusPath(QStringLiteral("pdf/a-text.pdf")),
                               test::corpusPath(QStringLiteral("pdf/debian-refcard-en-a4.pdf"))});
        QTRY_COMPARE_WITH_TIMEOUT(finished.count(), 4, 120000);
        QTRY_COMPARE(m_ui.window->libraryModel()->rowCount(), 4);
        for (const DocumentRecord &d : DocumentStore(m_ui.library).list())
            QCOMPARE(d.status, DocumentStatus::Ready);
        m_action = m_ui.window->findChild<QAction *>(QStringLiteral("extractKeyFacts"));
        QVERIFY(m_action);
    }

    void cleanupTestCase()
    {
        m_ui.close();
    }

    void actionNeedsExactlyOneReadyDocument()
    {
        QCOMPARE(m_action->shortcut(), QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_K));
        QVERIFY2(m_ui.window->documentView()->actions().contains(m_action), "in the library table's context menu");
        m_ui.window->documentView()->selectAll();
        QTRY_COMPARE(m_ui.window->libraryPanel()->selectedIds().size(), 4);
        QVERIFY(!m_action->isEnabled());
        select(QStringLiteral("invoice-kestrel-design.txt"));
        QVERIFY(m_action->isEnabled());
    }

    void offlineRulesShowTheFactsTheCliGives()
    {
        const qint64 id = select(QStringLiteral("invoice-kestrel-design.txt"));
        QVERIFY(id > 0);
        const int auditedBefore = factsAudited(id);
        KeyFactsDialog *dialog = openDialog();
        QVERIFY2(dialog, "Ctrl+Shift+K opens the dialog");
        QCOMPARE(dialog->documentId(), id);
        // The chat answers offline, so only the rules are offered.
        QVERIFY(!dialog->findChild<QRadioButton *>(QStringLiteral("keyFactsUseProvider"))->isEnabled());
        QVERIFY(dialog->findChild<QRadioButton *>(QStringLiteral("keyFactsOffline"))->isChecked());
        dialog->setTemplate(FactTemplate::Invoice);
        QVERIFY(dialog->findChild<QLabel *>(QStringLiteral("keyFactsTemplateHelp"))->text().contains(QLatin1String("invoice number")));
        QTest::qWait(50);
        test::saveScreenshot(dialog, QStringLiteral("keyfacts-01-ready"));
        extract(dialog);

        // What `docsight-cli extract --json` prints comes from the same call.
        const ExtractionResult expected = KeyFactExtractor(m_ui.library).extract(id, FactTemplate::Invoice);
        QVERIFY(expected.ok());
        QCOMPARE(dialog->result().method, QStringLiteral("rules"));
        QTableWidget *table = dialog->table();
        QVERIFY(table->isVisible());
        QCOMPARE(table->rowCount(), expected.facts.size());
        for (const QString &field : {QStringLiteral("vendor"), QStringLiteral("total"), QStringLiteral("date")}) {
            const QStringList values = expected.values(field);
            QCOMPARE(values.size(), 1);
            const int row = rowOf(table, field);
            QVERIFY2(row >= 0, qPrintable(field));
            QCOMPARE(table->item(row, 1)->text(), values.constFirst());
            QCOMPARE(table->item(row, 3)->text(), QStringLiteral("rules"));
        }
        QCOMPARE(table->item(rowOf(table, QStringLiteral("total")), 1)->text(), QStringLiteral("960.00"));
        QCOMPARE(table->item(rowOf(table, QStringLiteral("date")), 1)->text(), QStringLiteral("2024-06-03"));
        // Audited by core: one event for the dialog's extraction, one for ours.
        QCOMPARE(factsAudited(id), auditedBefore + 2);
        const QImage shot = test::saveScreenshot(dialog, QStringLiteral("keyfacts-02-invoice-rules"));
        QVERIFY(test::distinctColours(shot) >= 8);
    }

    void activatingAFactShowsItsPassage()
    {
        KeyFactsDialog *dialog = m_ui.window->findChild<KeyFactsDialog *>();
        QVERIFY(dialog);
        QTableWidget *table = dialog->table();
        const int row = rowOf(table, QStringLiteral("total"));
        const KeyFact &total = dialog->result().facts.at(row);
        QVERIFY(total.source.charStart >= 0);
        DocumentViewer *viewer = m_ui.window->viewer();
        QSignalSpy shown(viewer, &DocumentViewer::passageShown);
        table->setFocus();
        table->setCurrentCell(row, 0);
        QTest::keyClick(table, Qt::Key_Return);
        QVERIFY2(dialog->findChild<QPushButton *>(QStringLiteral("keyFactsExtract"))->isEnabled(), "Enter must not extract again");
        QTRY_VERIFY(shown.count() >= 1);
        QCOMPARE(viewer->documentId(), dialog->documentId());
        QCOMPARE(viewer->highlightPage(), total.source.page);
        QCOMPARE(viewer->currentPage(), total.source.page);
        // A text file shows as text: the highlight is the quote's span, and its words are selected in the text view.
        auto *text = viewer->findChild<QPlainTextEdit *>();
        QVERIFY(text && text->isVisible());
        QString highlighted;
        for (const QTextEdit::ExtraSelection &s : text->extraSelections()) {
            if (s.format.background().color() == QColor(255, 196, 0, 150)) // the passage amber, not a find match
                highlighted += s.cursor.selectedText();
        }
        QVERIFY2(highlighted.contains(total.raw) || highlighted.contains(QLatin1String("960")), qPrintable(highlighted));

        // A click on another fact moves the highlight.
        const int vendor = rowOf(table, QStringLiteral("vendor"));
        QTest::mouseClick(table->viewport(), Qt::LeftButton, {}, table->visualItemRect(table->item(vendor, 1)).center());
        QTRY_VERIFY(shown.count() >= 2);
        QCOMPARE(viewer->highlightPage(), dialog->result().facts.at(vendor).source.page);
        const QImage shot = test::saveScreenshot(m_ui.window.get(), QStringLiteral("keyfacts-03-fact-in-viewer"));
        QVERIFY(test::distinctColours(shot) >= 16);
    }

    void copyAsJsonCopiesTheCliJson()
    {
        KeyFactsDialog *dialog = m_ui.window->findChild<KeyFactsDialog *>();
        QApplication::clipboard()->clear();
        QTest::mouseClick(dialog->findChild<QPushButton *>(QStringLiteral("keyFactsCopyJson")), Qt::LeftButton);
        QJsonParseError error;
        const QJsonDocument json = QJsonDocument::fromJson(QApplication::clipboard()->text().toUtf8(), &error);
        QVERIFY2(error.error == QJsonParseError::NoError, qPrintable(error.errorString()));
        const QJsonObject o = json.object();
        QCOMPARE(o.value(QLatin1String("template")).toString(), QStringLiteral("invoice"));
        QCOMPARE(o.value(QLatin1String("document")).toString(), QStringLiteral("invoice-kestrel-design.txt"));
        QCOMPARE(o.value(QLatin1String("facts")).toArray().size(), dialog->table()->rowCount());
        // Rules are deterministic: the same object the CLI serialises.
        QCOMPARE(o, KeyFactExtractor(m_ui.library).extract(dialog->documentId(), FactTemplate::Invoice).toJson());
    }

    void nothingFoundShowsAnEmptyState()
    {
        const qint64 id = select(QStringLiteral("a-text.pdf"));
        QVERIFY(id > 0);
        KeyFactsDialog *dialog = openDialog();
        QVERIFY(dialog);
        QCOMPARE(dialog->documentId(), id);
        dialog->setTemplate(FactTemplate::Contract);
        extract(dialog);
        QVERIFY2(dialog->result().facts.isEmpty(), "a text about typesetting holds no contract facts");
        QVERIFY(!dialog->table()->isVisible());
        auto *empty = dialog->findChild<QLabel *>(QStringLiteral("keyFactsEmpty"));
        QVERIFY(empty->isVisible());
        QVERIFY2(empty->text().contains(QLatin1String("No contract facts")), qPrintable(empty->text()));
        test::saveScreenshot(dialog, QStringLiteral("keyfacts-04-nothing-found"));
    }

    void aFactOfAPdfIsHighlightedOnThePageImage()
    {
        QVERIFY(select(QStringLiteral("debian-refcard-en-a4.pdf")) > 0);
        KeyFactsDialog *dialog = openDialog();
        QVERIFY(dialog);
        dialog->setTemplate(FactTemplate::Generic);
        extract(dialog);
        QVERIFY2(dialog->table()->rowCount() > 0, "the reference card is dated");
        const KeyFact &f = dialog->result().facts.constFirst();
        QVERIFY(f.source.charStart >= 0);
        QSignalSpy shown(m_ui.window->viewer(), &DocumentViewer::passageShown);
        QTest::mouseClick(dialog->table()->viewport(), Qt::LeftButton, {},
                          dialog->table()->visualItemRect(dialog->table()->item(0, 1)).center());
        QTRY_VERIFY_WITH_TIMEOUT(shown.count() >= 1, 20000);
        QVERIFY(m_ui.window->viewer()->isShowingImages());
        QCOMPARE(m_ui.window->viewer()->highlightPage(), f.source.page);
        QVERIFY2(!m_ui.window->viewer()->highlightRects().isEmpty(), qPrintable(f.source.quote));
        test::saveScreenshot(m_ui.window.get(), QStringLiteral("keyfacts-05-pdf-fact"));
    }

    void theChatProviderReadsTheDocumentThroughTheModel()
    {
        ScriptedServer s;
        QVERIFY(s.server.isListening());
        s.setReply(factsReply({fact(QStringLiteral("vendor"), QStringLiteral("Kestrel Design Studio Ltd"), QStringLiteral("S1"),
                                    QStringLiteral("Kestrel Design Studio Ltd")),
                               fact(QStringLiteral("date"), QStringLiteral("3 June 2024"), QStringLiteral("S1"),
                                    QStringLiteral("Invoice date 3 June 2024")),
                               fact(QStringLiteral("total"), QStringLiteral("£960.00"), QStringLiteral("S1"),
                                    QStringLiteral("Amount due £960.00"))}));
        QVERIFY(m_ui.useProvider(ProviderKind::OpenAiCompatible, s.server.url(QStringLiteral("/v1")), QStringLiteral("facts-model")));
        const int requestsBefore = UsageMeter(m_ui.library).thisMonth().requests;

        const qint64 id = select(QStringLiteral("invoice-kestrel-design.txt"));
        QVERIFY(id > 0);
        KeyFactsDialog *dialog = openDialog();
        QVERIFY(dialog);
        QCOMPARE(dialog->documentId(), id);
        QVERIFY2(dialog->usesChatProvider(), "a chat that uses a model reads with it by default");
        dialog->setTemplate(FactTemplate::Invoice);
        extract(dialog);
        QCOMPARE(s.chatRequests(), 1);
        QTableWidget *table = dialog->table();
        for (const QString &field : {QStringLiteral("vendor"), QStringLiteral("total"), QStringLiteral("date")}) {
            const int row = rowOf(table, field);
            QVERIFY2(row >= 0, qPrintable(field));
            QCOMPARE(table->item(row, 3)->text(), QStringLiteral("model"));
        }
        QCOMPARE(table->item(rowOf(table, QStringLiteral("total")), 1)->text(), QStringLiteral("960.00"));
        QCOMPARE(dialog->result().method, QStringLiteral("model+rules")); // invoice number and currency by the rules
        // Metered by core like an answer.
        QCOMPARE(UsageMeter(m_ui.library).thisMonth().requests, requestsBefore + 1);
        const QImage shot = test::saveScreenshot(dialog, QStringLiteral("keyfacts-06-invoice-model"));
        QVERIFY(test::distinctColours(shot) >= 8);

        // A reply that is not the schema: the rules read it, and the dialog says so above the table.
        s.setReply(QStringLiteral("The vendor is Kestrel and the total is 960 pounds."));
        extract(dialog);
        QCOMPARE(s.chatRequests(), 2);
        QCOMPARE(dialog->result().method, QStringLiteral("rules"));
        QVERIFY2(dialog->warningsText().contains(QLatin1String("did not match the schema")), qPrintable(dialog->warningsText()));
        QCOMPARE(table->item(rowOf(table, QStringLiteral("total")), 3)->text(), QStringLiteral("rules"));
        test::saveScreenshot(dialog, QStringLiteral("keyfacts-07-model-fallback"));
        QVERIFY(m_ui.useProvider(ProviderKind::Extractive));
    }

    void cancelStopsAModelRead()
    {
        ScriptedServer s;
        s.delay = std::chrono::milliseconds(2000); // a slow model: each piece of the stream two seconds apart
        s.setReply(factsReply({}));
        QVERIFY(m_ui.useProvider(ProviderKind::OpenAiCompatible, s.server.url(QStringLiteral("/v1")), QStringLiteral("facts-model")));
        QVERIFY(select(QStringLiteral("invoice-kestrel-design.txt")) > 0);
        KeyFactsDialog *dialog = openDialog();
        QVERIFY(dialog && dialog->usesChatProvider());
        auto *extractButton = dialog->findChild<QPushButton *>(QStringLiteral("keyFactsExtract"));
        auto *cancel = dialog->findChild<QPushButton *>(QStringLiteral("keyFactsCancel"));
        auto *status = dialog->findChild<QLabel *>(QStringLiteral("keyFactsStatus"));
        QTest::mouseClick(extractButton, Qt::LeftButton);
        QVERIFY(!extractButton->isEnabled());
        QVERIFY2(!dialog->table()->isVisible() && dialog->warningsText().isEmpty(), "the last result is not shown as this one's");
        QTRY_VERIFY(cancel->isVisible());
        QTRY_COMPARE(s.chatRequests(), 1);
        test::saveScreenshot(dialog, QStringLiteral("keyfacts-08-busy"));
        QElapsedTimer timer;
        timer.start();
        QTest::mouseClick(cancel, Qt::LeftButton);
        QTRY_VERIFY_WITH_TIMEOUT(extractButton->isEnabled(), 10000);
        QVERIFY2(timer.elapsed() < 5000, "cancelling does not wait for the model to finish");
        QCOMPARE(status->text(), QStringLiteral("Cancelled."));
        QVERIFY(!cancel->isVisible());
        QVERIFY(m_ui.useProvider(ProviderKind::Extractive));
    }

private:
    qint64 select(const QString &name)
    {
        qint64 id = 0;
        for (const DocumentRecord &d : DocumentStore(m_ui.library).list()) {
            if (d.name == name)
                id = d.id;
        }
        if (id == 0)
            return 0;
        m_ui.window->documentView()->clearSelection();
        m_ui.window->libraryPanel()->selectDocument(id);
        return m_ui.window->libraryPanel()->selectedIds() == QList<qint64>{id} ? id : 0;
    }

    KeyFactsDialog *openDialog()
    {
        if (!m_action->isEnabled())
            return nullptr;
        auto *dialog = m_ui.window->findChild<KeyFactsDialog *>();
        if (!dialog) {
            // The first time through the shortcut, as the analyst would.
            m_ui.window->activateWindow();
            m_ui.window->documentView()->setFocus();
            QTest::keyClick(m_ui.window->documentView(), Qt::Key_K, Qt::ControlModifier | Qt::ShiftModifier);
            dialog = m_ui.window->findChild<KeyFactsDialog *>();
            if (!dialog || !dialog->isVisible())
                return nullptr;
        } else {
            m_action->trigger(); // the dialog has the focus now: the menu's way in
        }
        return dialog->isVisible() ? dialog : nullptr;
    }

    void extract(KeyFactsDialog *dialog)
    {
        QVERIFY(dialog);
        auto *button = dialog->findChild<QPushButton *>(QStringLiteral("keyFactsExtract"));
        auto *status = dialog->findChild<QLabel *>(QStringLiteral("keyFactsStatus"));
        QVERIFY(button->isEnabled());
        QTest::mouseClick(button, Qt::LeftButton);
        QTRY_VERIFY_WITH_TIMEOUT(button->isEnabled(), 60000);
        QVERIFY2(dialog->result().ok(), qPrintable(status->text()));
        QVERIFY2(status->text().contains(QLatin1String("fact")), qPrintable(status->text()));
    }

    static int rowOf(QTableWidget *table, const QString &field)
    {
        QString label = field;
        label.replace(QLatin1Char('_'), QLatin1Char(' '));
        label[0] = label.at(0).toUpper();
        for (int row = 0; row < table->rowCount(); ++row) {
            if (table->item(row, 0)->text() == label)
                return row;
        }
        return -1;
    }

    int factsAudited(qint64 id) const
    {
        QSqlDatabase db = m_ui.library->connection();
        int n = 0;
        for (const AuditEvent &e : auditlog::events(db))
            n += e.kind == QLatin1String("document.facts_extracted") && e.subject == QStringLiteral("document:%1").arg(id) ? 1 : 0;
        return n;
    }

    test::WindowFixture m_ui;
    QAction *m_action = nullptr;
};

QTEST_MAIN(TestKeyFactsUi)
#include "tst_keyfactsui.moc"
