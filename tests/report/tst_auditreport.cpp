// The PDF audit report, read back with Poppler's command-line tools (only the PDF loader may link Poppler):
// it holds each question, the cited pages, every document's SHA-256 and the chain head; every page renders;
// a tampered audit trail reads FAILED; exporting is audited; the CLI filters by conversation and period.
#include "audit/auditlog.h"
#include "governance/usagemeter.h"
#include "llm/askservice.h"
#include "llm/providerfactory.h"
#include "report/auditreport.h"
#include "search/builtinembedder.h"
#include "store/messagestore.h"
#include "store/documentstore.h"
#include "store/library.h"

#include "testsupport.h"

#include <pwd.h>
#include <unistd.h>

#include <QCryptographicHash>
#include <QDir>
#include <QFile>
#include <QImage>
#include <QProcess>
#include <QRegularExpression>
#include <QSqlQuery>
#include <QTemporaryDir>
#include <QTest>

using namespace docsight;
using namespace docsight::test;

namespace {

QString dataPath(const QString &name)
{
    return QDir(QStringLiteral(GOVERNANCE_TEST_DATA)).absoluteFilePath(name);
}

// pdftotext's reading of the report, whitespace collapsed (lines wrap wherever the layout put them).
QString pdfText(const QString &pdf)
{
    QProcess p;
    p.start(QStringLiteral("pdftotext"), {QStringLiteral("-enc"), QStringLiteral("UTF-8"), pdf, QStringLiteral("-")});
    if (!p.waitForFinished(60000) || p.exitCode() != 0)
        return {};
    return QString::fromUtf8(p.readAllStandardOutput()).simplified();
}

int pdfPages(const QString &pdf)
{
    QProcess p;
    p.start(QStringLiteral("pdfinfo"), {pdf});
    if (!p.waitForFinished(60000))
        return -1;
    for (const QString &line : QString::fromUtf8(p.readAllStandardOutput()).split(QLatin1Char('\n'))) {
        if (line.startsWith(QLatin1String("Pages:")))
            return line.mid(6).trimmed().toInt();
    }
    return -1;
}

// A word Poppler found on a page of the PDF, in points from the page's top left.
struct PdfWord {
    int page = 0;
    QRectF box;
    QString text;
};

QList<PdfWord> pdfWords(const QString &pdf)
{
    QProcess p;
    p.start(QStringLiteral("pdftotext"), {QStringLiteral("-bbox"), QStringLiteral("-enc"), QStringLiteral("UTF-8"), pdf, QStringLiteral("-")});
    if (!p.waitForFinished(60000) || p.exitCode() != 0)
        return {};
    QList<PdfWord> words;
    int page = 0;
    static const QRegularExpression word(QStringLiteral(
        R"re(<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">([^<]*)</word>)re"));
    for (const QString &line : QString::fromUtf8(p.readAllStandardOutput()).split(QLatin1Char('\n'))) {
        if (line.contains(QLatin1String("<page ")))
            ++page;
        const QRegularExpressionMatch m = word.match(line);
        if (m.hasMatch())
            words.append({page, QRectF(QPointF(m.captured(1).toDouble(), m.captured(2).toDouble()),
                                       QPointF(m.captured(3).toDouble(), m.captured(4).toDouble())),
                          m.captured(5)});
    }
    return words;
}

const QStringList kQuestions{QStringLiteral("What is the total due on the Brightline invoice?"),
                             QStringLiteral("Which law governs the mutual non-disclosure agreement?"),
                             QStringLiteral("Who is the primary contact for Project Heron payments?")};

} // namespace

class TestAuditReport final : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase()
    {
        QVERIFY(m_dir.isValid());
        m_lib = m_dir.filePath(QStringLiteral("lib"));
        const ProcessResult imported = runCli({QStringLiteral("--library"), m_lib, QStringLiteral("import"),
                                               dataPath(QStringLiteral("invoice-acme-cloud.txt")),
                                               dataPath(QStringLiteral("contract-nda-acme.txt")),
                                               dataPath(QStringLiteral("confidential-heron-vendor.txt")),
                                               corpusPath(QStringLiteral("pdf/a-text.pdf"))},
                                              300000);
        QVERIFY2(imported.exitCode == 0, QByteArray(imported.out + imported.err).constData());
        QString error;
        m_library = Library::open(m_lib, &error);
        QVERIFY2(m_library, qPrintable(error));
        auto retriever = std::make_shared<HybridRetriever>(m_library, QList<std::shared_ptr<Embedder>>{std::make_shared<BuiltinEmbedder>()});
        AskService service(m_library, retriever, makeChatProvider(ProviderKind::Extractive));
        for (const QString &q : kQuestions) {
            AskRequest r;
            r.question = q;
            r.retrieval.k = 4;
            const Answer a = service.ask(r);
            QVERIFY(a.ok());
            QVERIFY2(!a.citations.isEmpty(), qPrintable(q));
            m_answers << a;
        }
        QVERIFY(MessageStore(m_library).recordFeedback(m_answers.at(0).governance.messageId, 1, {}));
        QVERIFY(MessageStore(m_library).recordFeedback(m_answers.at(1).governance.messageId, -1,
                                                     QStringLiteral("Cite section 5, not the signature block.")));
    }

    void reportHoldsQuestionsPagesHashesAndTheChainHead()
    {
        const QString pdf = m_dir.filePath(QStringLiteral("report.pdf"));
        const AuditReportResult r = auditreport::exportPdf(m_library, pdf, {});
        QVERIFY2(r.ok, qPrintable(r.error));
        QCOMPARE(r.questions, kQuestions.size());
        QVERIFY(r.verification.intact);
        const QString text = pdfText(pdf);
        QVERIFY(!text.isEmpty());
        for (const QString &q : kQuestions)
            QVERIFY2(text.contains(q), qPrintable(q));
        for (const Answer &a : std::as_const(m_answers)) {
            for (const Citation &c : a.citations) {
                const QString cited = QStringLiteral("%1, page %2").arg(c.document).arg(c.page);
                QVERIFY2(text.contains(cited), qPrintable(cited));
            }
        }
        for (const DocumentRecord &d : DocumentStore(m_library).list())
            QVERIFY2(text.contains(d.sha256), qPrintable(d.name));
        QVERIFY2(text.contains(r.chainHead), qPrintable(r.chainHead));
        QVERIFY(text.contains(QLatin1String("VERIFIED")));
        QVERIFY(!text.contains(QLatin1String("FAILED")));
        // The cover is a two-column table: pdftotext may read its labels and values column by column.
        QVERIFY(text.contains(QLatin1String("Docsight version")) && text.contains(QStringLiteral(DOCSIGHT_VERSION)));
        QVERIFY(text.contains(auditreport::osUserName()));
        QVERIFY(text.contains(QLatin1String("extractive")));
        QVERIFY(text.contains(QLatin1String("Cite section 5, not the signature block.")));
        QVERIFY(text.contains(QLatin1String("thumbs up")));

        // Every page renders.
        QCOMPARE(pdfPages(pdf), r.pages);
        const QString prefix = m_dir.filePath(QStringLiteral("page"));
        QProcess render;
        render.start(QStringLiteral("pdftoppm"), {QStringLiteral("-r"), QStringLiteral("40"), QStringLiteral("-png"), pdf, prefix});
        QVERIFY(render.waitForFinished(120000));
        QCOMPARE(render.exitCode(), 0);
        const QStringList images = QDir(m_dir.path()).entryList({QStringLiteral("page*.png")}, QDir::Files, QDir::Name);
        QCOMPARE(images.size(), r.pages);
        for (const QString &name : images) {
            const QImage image(m_dir.filePath(name));
            QVERIFY2(!image.isNull() && image.width() > 100, qPrintable(name));
        }

        // Exporting is itself audited, with the PDF's hash.
        QFile f(pdf);
        QVERIFY(f.open(QIODevice::ReadOnly));
        const QString sha = QString::fromLatin1(QCryptographicHash::hash(f.readAll(), QCryptographicHash::Sha256).toHex());
        QCOMPARE(r.sha256, sha);
        QSqlDatabase db = m_library->connection();
        const AuditEvent last = auditlog::events(db).constLast();
        QCOMPARE(last.kind, QStringLiteral("report.exported"));
        QCOMPARE(last.payload.value(QLatin1String("pdf_sha256")).toString(), sha);
    }

    void cliExportsOneConversationOrOnePeriod()
    {
        const QString one = m_dir.filePath(QStringLiteral("one.pdf"));
        const ProcessResult r = runCli({QStringLiteral("--library"), m_lib, QStringLiteral("export-report"), one, QStringLiteral("--conversation"),
                                        QString::number(m_answers.at(1).governance.conversationId)});
        QVERIFY2(r.exitCode == 0, r.err.constData());
        QVERIFY(r.out.contains("1 question(s)"));
        const QString text = pdfText(one);
        QVERIFY(text.contains(kQuestions.at(1)));
        QVERIFY(!text.contains(kQuestions.at(0)));

        const QString none = m_dir.filePath(QStringLiteral("none.pdf"));
        const ProcessResult past = runCli({QStringLiteral("--library"), m_lib, QStringLiteral("export-report"), none,
                                           QStringLiteral("--from"), QStringLiteral("2001-01-01"), QStringLiteral("--to"),
                                           QStringLiteral("2001-12-31")});
        QVERIFY2(past.exitCode == 0, past.err.constData());
        QVERIFY(pdfText(none).contains(QLatin1String("No questions were asked in this period")));

        const ProcessResult bad = runCli({QStringLiteral("--library"), m_lib, QStringLiteral("export-report"), none,
                                          QStringLiteral("--from"), QStringLiteral("last tuesday")});
        QCOMPARE(bad.exitCode, 2);
    }

    void tableCellsArePaddedAndHeadingsClearTheTableAbove()
    {
        const QString pdf = m_dir.filePath(QStringLiteral("layout.pdf"));
        const AuditReportResult r = auditreport::exportPdf(m_library, pdf, {});
        QVERIFY2(r.ok, qPrintable(r.error));
        const QList<PdfWord> words = pdfWords(pdf);
        QVERIFY(!words.isEmpty());
        const auto find = [&](const QString &text, qreal minHeight = 0) -> std::optional<PdfWord> {
            for (const PdfWord &w : words) {
                if (w.text == text && w.box.height() >= minHeight)
                    return w;
            }
            return std::nullopt;
        };
        // Two rows of the cover table: without padding their text lines touch through the border.
        const auto analyst = find(QStringLiteral("Analyst"));
        const auto period = find(QStringLiteral("Period"));
        QVERIFY(analyst && period);
        const qreal pitch = period->box.top() - analyst->box.top();
        QVERIFY2(pitch >= analyst->box.height() + 4.0, qPrintable(QStringLiteral("row pitch %1 pt for %2 pt of text")
                                                                      .arg(pitch).arg(analyst->box.height())));

        // The Feedback heading (14 pt, taller than body text) starts below everything above it on its page.
        const auto heading = find(QStringLiteral("Feedback"), 13.0);
        QVERIFY(heading);
        qreal above = 0;
        for (const PdfWord &w : words) {
            if (w.page == heading->page && w.box.top() < heading->box.top() - 1.0)
                above = std::max(above, w.box.bottom());
        }
        QVERIFY2(heading->box.top() - above >= 4.0,
                 qPrintable(QStringLiteral("heading at %1 pt, table text above ends at %2 pt").arg(heading->box.top()).arg(above)));
    }

    void analystIsTheAccountNotTheHomeFolder()
    {
        const passwd *account = ::getpwuid(::geteuid());
        QVERIFY(account);
        const QByteArray home = qgetenv("HOME"), user = qgetenv("USER"), logname = qgetenv("LOGNAME");
        qputenv("HOME", "/home");
        qunsetenv("USER");
        qunsetenv("LOGNAME");
        const QString analyst = auditreport::osUserName();
        qputenv("HOME", home);
        qputenv("USER", user);
        qputenv("LOGNAME", logname);
        QVERIFY2(analyst != QLatin1String("home"), qPrintable(analyst));
        QVERIFY2(analyst.contains(QString::fromLocal8Bit(account->pw_name)), qPrintable(analyst));
    }

    void searchScopeIsNamedByDocument()
    {
        auto retriever = std::make_shared<HybridRetriever>(m_library, QList<std::shared_ptr<Embedder>>{std::make_shared<BuiltinEmbedder>()});
        AskService service(m_library, retriever, makeChatProvider(ProviderKind::Extractive));
        const QList<DocumentRecord> documents = DocumentStore(m_library).list();
        const auto invoice = std::find_if(documents.cbegin(), documents.cend(), [](const DocumentRecord &d) {
            return d.name == QLatin1String("invoice-acme-cloud.txt");
        });
        QVERIFY(invoice != documents.cend());
        AskRequest request;
        request.question = kQuestions.at(0);
        request.retrieval.documentIds = QList<qint64>{invoice->id};
        const Answer answer = service.ask(request);
        QVERIFY(answer.ok());

        AuditReportOptions options;
        options.conversationId = answer.governance.conversationId;
        const QString html = auditreport::html(m_library, options);
        QVERIFY2(html.contains(QStringLiteral("<b>Searched:</b> invoice-acme-cloud.txt (id %1)").arg(invoice->id)), qPrintable(html));
        QVERIFY(!html.contains(QLatin1String("documents = [")));
    }

    void aTamperedTrailShowsAsFailed()
    {
        {
            QSqlDatabase db = m_library->connection();
            QSqlQuery q(db);
            // Someone rewrites history: the second event now claims another document.
            QVERIFY(q.exec(QStringLiteral("UPDATE audit_events SET subject = 'document:999' WHERE seq = 2")));
        }
        const QString pdf = m_dir.filePath(QStringLiteral("tampered.pdf"));
        const ProcessResult r = runCli({QStringLiteral("--library"), m_lib, QStringLiteral("export-report"), pdf});
        QCOMPARE(r.exitCode, 1);
        QVERIFY(r.out.contains("FAILED"));
        const QString text = pdfText(pdf);
        QVERIFY(text.contains(QLatin1String("FAILED")));
        QVERIFY(!text.contains(QLatin1String("VERIFIED")));
        QVERIFY(text.contains(QLatin1String("FAILED at event 2")));
    }

private:
    QTemporaryDir m_dir;
    QString m_lib;
    std::shared_ptr<Library> m_library;
    QList<Answer> m_answers;
};

QTEST_MAIN(TestAuditReport)
#include "tst_auditreport.moc"
