// Key-fact extraction: the offline rules against a golden set of invoices and contracts written for these tests
// (tests/governance/data), and the model path over a loopback provider marked cloud: schema validation,
// fallback to the rules, policy (Restricted never sent, Confidential redacted and restored), every fact citing
// its passage.
#include "audit/auditlog.h"
#include "governance/policygate.h"
#include "llm/keyfactextractor.h"
#include "llm/providerfactory.h"
#include "store/documentstore.h"
#include "store/library.h"

#include "../llm/providerfixtures.h"
#include "testsupport.h"

#include <QDir>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QMutex>
#include <QRegularExpression>
#include <QTemporaryDir>
#include <QTest>

using namespace docsight;
using namespace docsight::test;

namespace {

QString dataPath(const QString &name)
{
    return QDir(QStringLiteral(GOVERNANCE_TEST_DATA)).absoluteFilePath(name);
}

QString norm(const QString &s)
{
    static const QRegularExpression nonWord(QStringLiteral("[^\\p{L}\\p{N}]+"));
    return s.toLower().replace(nonWord, QStringLiteral(" ")).simplified();
}

// Text fields match when one contains the other and the shorter is most of the longer ("Dr. Maria Delgado" for
// "Maria Delgado", "laws of the State of New York" for "State of New York" would not: it must be the value).
bool textMatches(const QString &expected, const QString &actual)
{
    const QString e = norm(expected);
    const QString a = norm(actual);
    if (e.isEmpty() || a.isEmpty())
        return false;
    if (e == a)
        return true;
    const QString &shorter = e.size() <= a.size() ? e : a;
    const QString &longer = e.size() <= a.size() ? a : e;
    return longer.contains(shorter) && double(shorter.size()) / double(longer.size()) >= 0.6;
}

struct Golden {
    QString file;
    FactTemplate templ;
    QJsonObject facts;
};

QList<Golden> golden()
{
    QList<Golden> out;
    QFile f(dataPath(QStringLiteral("keyfacts-golden.json")));
    if (!f.open(QIODevice::ReadOnly))
        return out;
    for (const QJsonValue v : QJsonDocument::fromJson(f.readAll()).object().value(QLatin1String("documents")).toArray()) {
        const QJsonObject o = v.toObject();
        out.append({o.value(QLatin1String("file")).toString(), *parseFactTemplate(o.value(QLatin1String("template")).toString()),
                    o.value(QLatin1String("facts")).toObject()});
    }
    return out;
}

// A cloud provider's stand-in that answers every request with the reply given and records what it was sent.
struct ScriptedServer {
    QMutex mutex;
    QString reply;
    LoopbackServer server; // last: stopped before what its handler uses is destroyed

    ScriptedServer()
    {
        server.setHandler([this](const LoopbackRequest &) {
            QMutexLocker lock(&mutex);
            return LoopbackResponse::sse(openAiStream({reply}, 900, 80), {});
        });
    }
    void setReply(const QString &r)
    {
        QMutexLocker lock(&mutex);
        reply = r;
    }
    ExtractionSettings settings()
    {
        ExtractionSettings s;
        s.provider = makeChatProvider(ProviderKind::OpenAiCompatible, loopbackSettings(server));
        s.trust = ProviderTrust::Cloud; // marked cloud although it listens on loopback
        s.model = QStringLiteral("gpt-4o-mini");
        return s;
    }
};

QString factsReply(const QJsonArray &facts)
{
    return QStringLiteral("```json\n") + QString::fromUtf8(QJsonDocument(QJsonObject{{QStringLiteral("facts"), facts}}).toJson())
        + QStringLiteral("```");
}

QJsonObject fact(const QString &field, const QString &value, const QString &source, const QString &quote)
{
    return {{QStringLiteral("field"), field}, {QStringLiteral("value"), value}, {QStringLiteral("source"), source},
            {QStringLiteral("quote"), quote}};
}

} // namespace

class TestKeyFacts final : public QObject
{
    Q_OBJECT

private:
    qint64 idOf(const QString &file)
    {
        const QList<DocumentRecord> matches = DocumentStore(m_library).resolve(file);
        return matches.size() == 1 ? matches.constFirst().id : 0;
    }

private Q_SLOTS:
    void initTestCase()
    {
        QVERIFY(m_dir.isValid());
        m_lib = m_dir.filePath(QStringLiteral("lib"));
        QStringList args{QStringLiteral("--library"), m_lib, QStringLiteral("import")};
        for (const Golden &g : golden())
            args << dataPath(g.file);
        QVERIFY(args.size() > 10);
        const ProcessResult imported = runCli(args, 300000);
        QVERIFY2(imported.exitCode == 0, imported.err.constData());
        QString error;
        m_library = Library::open(m_lib, &error);
        QVERIFY2(m_library, qPrintable(error));
    }

    void rulesMeetTheAccuracyThresholdOnTheGoldenSet()
    {
        const KeyFactExtractor extractor(m_library);
        int fields = 0;
        int correct = 0;
        for (const Golden &g : golden()) {
            const qint64 id = idOf(g.file);
            QVERIFY2(id > 0, qPrintable(g.file));
            const ExtractionResult r = extractor.extract(id, g.templ);
            QVERIFY2(r.ok(), qPrintable(r.error));
            QCOMPARE(r.method, QStringLiteral("rules"));
            for (auto it = g.facts.begin(); it != g.facts.end(); ++it) {
                const QStringList got = r.values(it.key());
                QStringList expected;
                if (it.value().isArray()) {
                    for (const QJsonValue v : it.value().toArray())
                        expected << v.toString();
                } else {
                    expected << it.value().toString();
                }
                for (const QString &e : std::as_const(expected)) {
                    ++fields;
                    const bool ok = std::any_of(got.cbegin(), got.cend(), [&](const QString &v) { return textMatches(e, v); });
                    correct += ok ? 1 : 0;
                    if (!ok)
                        qInfo().noquote() << "miss" << g.file << it.key() << "expected" << e << "got" << got;
                }
            }
            // Every fact cites its passage: a page of this document and a quote found on it.
            const QList<PageContent> pages = DocumentStore(m_library).pages(id);
            for (const KeyFact &f : r.facts) {
                QCOMPARE(f.source.documentId, id);
                QVERIFY(f.source.page >= 1 && f.source.page <= pages.size());
                QVERIFY(!f.source.quote.isEmpty());
                QVERIFY2(f.source.charStart >= 0, qPrintable(f.source.quote));
                const QString span = pages.at(f.source.page - 1).text.mid(f.source.charStart, f.source.charEnd - f.source.charStart);
                QCOMPARE(span.simplified(), f.source.quote);
                QVERIFY(f.source.chunkId > 0);
            }
        }
        const double accuracy = double(correct) / double(fields);
        qInfo().noquote() << QStringLiteral("key-fact rules accuracy on the golden set: %1/%2 = %3").arg(correct).arg(fields).arg(accuracy, 0, 'f', 3);
        QVERIFY2(accuracy >= 0.85, qPrintable(QString::number(accuracy)));
    }

    void genericTemplateFindsPeopleOrganisationsDatesAndAmounts()
    {
        const ExtractionResult r = KeyFactExtractor(m_library).extract(idOf(QStringLiteral("contract-nda-acme.txt")), FactTemplate::Generic);
        QVERIFY(r.values(QStringLiteral("organisations")).join(QLatin1Char('|')).contains(QLatin1String("Acme Robotics, Inc.")));
        QVERIFY(r.values(QStringLiteral("people")).contains(QStringLiteral("Laura Chen")));
        QVERIFY(r.values(QStringLiteral("dates")).contains(QStringLiteral("2024-01-15")));
        const ExtractionResult inv = KeyFactExtractor(m_library).extract(idOf(QStringLiteral("invoice-acme-cloud.txt")), FactTemplate::Generic);
        QVERIFY(inv.values(QStringLiteral("amounts")).contains(QStringLiteral("4313.25 USD")));
    }

    void modelFactsAreValidatedAndCiteTheirPassage()
    {
        ScriptedServer s;
        s.setReply(factsReply({fact(QStringLiteral("vendor"), QStringLiteral("Kestrel Design Studio Ltd"), QStringLiteral("S1"),
                                    QStringLiteral("Kestrel Design Studio Ltd")),
                               fact(QStringLiteral("date"), QStringLiteral("3 June 2024"), QStringLiteral("S1"),
                                    QStringLiteral("Invoice date 3 June 2024")),
                               fact(QStringLiteral("total"), QStringLiteral("£960.00"), QStringLiteral("S1"), QStringLiteral("Amount due £960.00")),
                               fact(QStringLiteral("currency"), QStringLiteral("GBP"), QStringLiteral("S9"), QStringLiteral("£")),
                               fact(QStringLiteral("colour"), QStringLiteral("blue"), QStringLiteral("S1"), QStringLiteral("Kestrel"))}));
        const qint64 id = idOf(QStringLiteral("invoice-kestrel-design.txt"));
        const ExtractionResult r = KeyFactExtractor(m_library, s.settings()).extract(id, FactTemplate::Invoice);
        QCOMPARE(s.server.requestCount(), 1);
        QCOMPARE(r.method, QStringLiteral("model+rules"));
        QCOMPARE(r.values(QStringLiteral("date")), QStringList{QStringLiteral("2024-06-03")});
        QCOMPARE(r.values(QStringLiteral("total")), QStringList{QStringLiteral("960.00")});
        // The currency cited a passage the request never had, so the rules supplied it.
        QCOMPARE(r.values(QStringLiteral("currency")), QStringList{QStringLiteral("GBP")});
        for (const KeyFact &f : r.facts) {
            QVERIFY(f.source.chunkId > 0);
            QVERIFY(f.source.charStart >= 0);
            const bool fromModel = f.field == QLatin1String("vendor") || f.field == QLatin1String("date")
                || f.field == QLatin1String("total");
            QCOMPARE(f.method, fromModel ? QStringLiteral("model") : QStringLiteral("rules"));
        }
        QVERIFY(r.warnings.join(QLatin1Char(' ')).contains(QLatin1String("failed validation")));
        QCOMPARE(r.usage.inputTokens, 900);
        // JSON schema in the instructions, passages in delimited blocks.
        const QJsonObject body = s.server.requests().constFirst().json();
        const QString system = requestTexts(body).constFirst();
        QVERIFY(system.contains(QLatin1String("\"facts\"")) && system.contains(QLatin1String("invoice_number")));
        // JSON mode, with the same schema the reply is validated against.
        const QJsonObject format = body.value(QLatin1String("response_format")).toObject();
        QCOMPARE(format.value(QLatin1String("type")).toString(), QStringLiteral("json_schema"));
        QCOMPARE(format.value(QLatin1String("json_schema")).toObject().value(QLatin1String("schema")).toObject(),
                 QJsonDocument::fromJson(KeyFactExtractor::jsonSchema(FactTemplate::Invoice).toUtf8()).object());
    }

    void aReplyThatIsNotTheSchemaFallsBackToTheRules()
    {
        ScriptedServer s;
        s.setReply(QStringLiteral("The vendor is Northwind Traders and the total is 18,250 dollars."));
        const ExtractionResult r = KeyFactExtractor(m_library, s.settings()).extract(idOf(QStringLiteral("invoice-northwind-email.txt")),
                                                                                     FactTemplate::Invoice);
        QCOMPARE(s.server.requestCount(), 1);
        QCOMPARE(r.method, QStringLiteral("rules"));
        QVERIFY(r.warnings.join(QLatin1Char(' ')).contains(QLatin1String("did not match the schema")));
        QCOMPARE(r.values(QStringLiteral("total")), QStringList{QStringLiteral("18250.00")});
    }

    void restrictedDocumentsAreNeverSentToACloudProvider()
    {
        const qint64 id = idOf(QStringLiteral("contract-lumen-licence.txt"));
        QVERIFY(DocumentStore(m_library).setClassification(id, Classification::Restricted));
        ScriptedServer s;
        s.setReply(factsReply({}));
        const ExtractionResult r = KeyFactExtractor(m_library, s.settings()).extract(id, FactTemplate::Contract);
        QCOMPARE(s.server.requestCount(), 0);
        QCOMPARE(r.method, QStringLiteral("rules"));
        QVERIFY(r.warnings.join(QLatin1Char(' ')).contains(QLatin1String("Restricted")));
        QVERIFY(!r.values(QStringLiteral("governing_law")).isEmpty());
        QVERIFY(DocumentStore(m_library).setClassification(id, Classification::Internal));
    }

    void confidentialDocumentsAreSentRedactedAndFactsRestored()
    {
        const qint64 id = idOf(QStringLiteral("invoice-mueller-logistik.txt"));
        QVERIFY(DocumentStore(m_library).setClassification(id, Classification::Confidential));
        ScriptedServer s;
        // The model quotes the placeholder it saw; the fact comes back with the original.
        s.setReply(factsReply({fact(QStringLiteral("vendor"), QStringLiteral("MÜLLER LOGISTIK GmbH"), QStringLiteral("S1"),
                                    QStringLiteral("MÜLLER LOGISTIK GmbH")),
                               fact(QStringLiteral("invoice_number"), QStringLiteral("2023/1147"), QStringLiteral("S1"),
                                    QStringLiteral("to IBAN [IBAN_1], BIC")),
                               fact(QStringLiteral("total"), QStringLiteral("12481.32"), QStringLiteral("S1"),
                                    QStringLiteral("Gross amount EUR 12.481,32"))}));
        const ExtractionResult r = KeyFactExtractor(m_library, s.settings()).extract(id, FactTemplate::Invoice);
        QCOMPARE(s.server.requestCount(), 1);
        const QByteArray body = s.server.requests().constFirst().body;
        QVERIFY(!body.contains("DE89 3704"));
        QVERIFY(!body.contains("buchhaltung@mueller-logistik.example"));
        QVERIFY(body.contains("[IBAN_1]") && body.contains("[EMAIL_1]"));
        bool restored = false;
        for (const KeyFact &f : r.facts)
            restored = restored || (f.field == QLatin1String("invoice_number") && f.source.quote.contains(QLatin1String("DE89 3704")));
        QVERIFY(restored);
        QVERIFY(r.warnings.join(QLatin1Char(' ')).contains(QLatin1String("placeholders")));
        QVERIFY(DocumentStore(m_library).setClassification(id, Classification::Internal));
    }

    void everyExtractionIsAuditedWithoutContent()
    {
        QSqlDatabase db = m_library->connection();
        int extractions = 0;
        for (const AuditEvent &e : auditlog::events(db)) {
            if (e.kind != QLatin1String("document.facts_extracted"))
                continue;
            ++extractions;
            QVERIFY(!QJsonDocument(e.payload).toJson().contains("Kestrel"));
        }
        QVERIFY(extractions >= 12);
        QVERIFY(auditlog::verify(db).intact);
    }

private:
    QTemporaryDir m_dir;
    QString m_lib;
    std::shared_ptr<Library> m_library;
};

QTEST_GUILESS_MAIN(TestKeyFacts)
#include "tst_keyfacts.moc"
