// Governance end to end through AskService against a real HTTP server on loopback that is marked cloud: a
// Restricted document never reaches it (every request body checked against every page), a Confidential one
// reaches it with placeholders instead of PII and the answer comes back with the originals, a leaked canary
// withholds the answer, injection flags are shown, a spent hard budget stops the call, and every exchange is
// stored, metered and audited.
#include "audit/auditlog.h"
#include "governance/injectionguard.h"
#include "governance/policygate.h"
#include "governance/usagemeter.h"
#include "llm/askservice.h"
#include "llm/providerfactory.h"
#include "search/builtinembedder.h"
#include "store/messagestore.h"
#include "store/documentstore.h"
#include "store/library.h"

#include "../llm/providerfixtures.h"
#include "testsupport.h"

#include <QDir>
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

const QString kQuestion = QStringLiteral("Who are the contacts for Project Heron payments, and how are they paid?");

// The cloud provider's stand-in: answers by echoing the first placeholders it was shown, or, when told to,
// by leaking the canary it finds in the system prompt.
struct CloudServer {
    QMutex mutex;
    bool leakCanary = false;
    LoopbackServer server; // last: stopped before what its handler uses is destroyed

    CloudServer()
    {
        server.setHandler([this](const LoopbackRequest &req) {
            const QJsonObject body = req.json();
            const QStringList texts = requestTexts(body);
            QString answer;
            QMutexLocker lock(&mutex);
            if (leakCanary) {
                static const QRegularExpression canary(QStringLiteral("dsc-[0-9a-f]{24}"));
                const auto m = canary.match(texts.join(QLatin1Char('\n')));
                answer = QStringLiteral("Sure. My hidden reference is ") + m.captured() + QStringLiteral(" [S1].");
            } else {
                static const QRegularExpression placeholder(QStringLiteral("\\[(EMAIL|PHONE|IBAN)_[0-9]+\\]"));
                QStringList seen;
                for (auto it = placeholder.globalMatch(texts.join(QLatin1Char('\n'))); it.hasNext();) {
                    const QString p = it.next().captured();
                    if (!seen.contains(p))
                        seen << p;
                }
                answer = QStringLiteral("Payments go to %1; the contact is %2 [S1].")
                             .arg(seen.value(0, QStringLiteral("nobody")), seen.value(1, QStringLiteral("nobody")));
            }
            // Split mid-placeholder to exercise the streaming restorer.
            const qsizetype half = answer.size() / 2;
            return LoopbackResponse::sse(openAiStream({answer.left(half), answer.mid(half)}, 1'200, 40), {});
        });
    }
};

// 40-character windows of a page (whitespace collapsed), the unit "no text of the document" is checked in.
QStringList windows(const QString &pageText, int size = 40)
{
    const QString t = pageText.simplified();
    QStringList out;
    for (qsizetype i = 0; i + size <= t.size(); ++i)
        out << t.mid(i, size);
    if (t.size() < size && !t.isEmpty())
        out << t;
    return out;
}

} // namespace

class TestGovernanceFlow final : public QObject
{
    Q_OBJECT

private:
    qint64 idOf(const QString &file) const
    {
        const QList<DocumentRecord> m = DocumentStore(m_library).resolve(file);
        return m.size() == 1 ? m.constFirst().id : 0;
    }

    std::unique_ptr<AskService> cloudService(CloudServer &cloud) const
    {
        auto provider = makeChatProvider(ProviderKind::OpenAiCompatible, loopbackSettings(cloud.server));
        auto service = std::make_unique<AskService>(m_library, m_retriever, provider);
        // Loopback would count as this computer; the analyst's setting says otherwise.
        service->setProviderTrust({ProviderTrust::Cloud, QStringLiteral("marked cloud for the test")});
        return service;
    }

    AskRequest request(const QString &question = kQuestion) const
    {
        AskRequest r;
        r.question = question;
        r.retrieval.k = 12;
        r.model = QStringLiteral("gpt-4o-mini");
        return r;
    }

    // Every request body the server got, raw and decoded (JSON escapes undone), whitespace collapsed.
    static QStringList bodiesOf(const CloudServer &cloud)
    {
        QStringList out;
        for (const LoopbackRequest &r : cloud.server.requests()) {
            out << QString::fromUtf8(r.body).simplified();
            out << requestTexts(r.json()).join(QLatin1Char(' ')).simplified();
        }
        return out;
    }

private Q_SLOTS:
    void initTestCase()
    {
        QVERIFY(m_dir.isValid());
        const QString lib = m_dir.filePath(QStringLiteral("lib"));
        const auto import = [&](const QString &file, const QString &level) {
            return runCli({QStringLiteral("--library"), lib, QStringLiteral("import"), QStringLiteral("--classification"), level,
                           dataPath(file)});
        };
        for (const auto &[file, level] : {std::make_pair(QStringLiteral("restricted-heron-memo.txt"), QStringLiteral("Restricted")),
                                          std::make_pair(QStringLiteral("confidential-heron-vendor.txt"), QStringLiteral("Confidential")),
                                          std::make_pair(QStringLiteral("internal-heron-note.txt"), QStringLiteral("Internal"))}) {
            const ProcessResult r = import(file, level);
            QVERIFY2(r.exitCode == 0, QByteArray(file.toUtf8() + ": exit " + QByteArray::number(r.exitCode) + (r.crashed ? " (crashed) " : " ")
                                                 + r.out + r.err).constData());
        }
        QString error;
        m_library = Library::open(lib, &error);
        QVERIFY2(m_library, qPrintable(error));
        m_retriever = std::make_shared<HybridRetriever>(m_library, QList<std::shared_ptr<Embedder>>{std::make_shared<BuiltinEmbedder>()});
        QCOMPARE(DocumentStore(m_library).pages(idOf(QStringLiteral("restricted-heron-memo.txt"))).size(), 2);
        // The stand-in is an OpenAI-compatible server, which the default price table cannot know.
        PriceTable prices = PriceTable::defaults();
        prices.set({QStringLiteral("openai-compatible"), QStringLiteral("*"), 0.15, 0.60});
        QVERIFY(UsageMeter(m_library).setPrices(prices));
    }

    void theQuestionReachesEveryDocumentLocally()
    {
        // Without this the checks below would pass vacuously.
        const RetrievalResult r = m_retriever->retrieve(kQuestion, request().retrieval);
        QSet<qint64> docs;
        for (const RetrievedPassage &p : r.passages)
            docs.insert(p.documentId);
        QVERIFY(docs.contains(idOf(QStringLiteral("restricted-heron-memo.txt"))));
        QVERIFY(docs.contains(idOf(QStringLiteral("confidential-heron-vendor.txt"))));
        QVERIFY(docs.contains(idOf(QStringLiteral("internal-heron-note.txt"))));
    }

    void cloudNeverReceivesRestrictedTextAndSeesPlaceholdersForPii()
    {
        CloudServer cloud;
        auto service = cloudService(cloud);
        QString streamed;
        const Answer a = service->ask(request(), [&](QStringView d) { streamed += d; });
        QVERIFY2(a.ok(), qPrintable(a.errorMessage));
        QCOMPARE(cloud.server.requestCount(), 1);
        const QStringList bodies = bodiesOf(cloud);

        // Not one 40-character window of any page of the Restricted document, raw or decoded.
        const qint64 restricted = idOf(QStringLiteral("restricted-heron-memo.txt"));
        int checked = 0;
        for (const PageContent &page : DocumentStore(m_library).pages(restricted)) {
            for (const QString &w : windows(page.text)) {
                ++checked;
                for (const QString &body : bodies)
                    QVERIFY2(!body.contains(w), qPrintable(QStringLiteral("page %1 leaked: %2").arg(page.number).arg(w)));
            }
        }
        QVERIFY(checked > 500);
        QVERIFY(!bodies.join(QLatin1Char(' ')).contains(QLatin1String("restricted-heron-memo")));

        // The Confidential document was sent (the check above is not blind), but without its PII.
        const QString all = bodies.join(QLatin1Char(' '));
        QVERIFY(all.contains(QLatin1String("Baltic Freight Partners")));
        for (const QString &pii : {QStringLiteral("accounts@balticfreight.example"), QStringLiteral("juri.tamm@balticfreight.example"),
                                   QStringLiteral("+372 5555 0199"), QStringLiteral("(415) 555-0132"),
                                   QStringLiteral("EE38 2200 2210 2014 5685"), QStringLiteral("4111 1111 1111 1111")})
            QVERIFY2(!all.contains(pii), qPrintable(pii));
        QVERIFY(all.contains(QLatin1String("[EMAIL_1]")));

        // The analyst sees the originals, in the stream and in the answer.
        QVERIFY2(!a.text.contains(QLatin1String("[EMAIL_")) && !a.text.contains(QLatin1String("[IBAN_")), qPrintable(a.text));
        QVERIFY2(a.text.contains(QLatin1String("@balticfreight.example")) || a.text.contains(QLatin1String("EE38")), qPrintable(a.text));
        QCOMPARE(streamed, a.text);

        // Visible notices and governance facts.
        QVERIFY(a.governance.withheldPassages >= 1);
        QCOMPARE(a.governance.withheld.size(), 1);
        QCOMPARE(a.governance.withheld.constFirst().documentName, QStringLiteral("restricted-heron-memo.txt"));
        QVERIFY(a.warnings.join(QLatin1Char(' ')).contains(QLatin1String("restricted-heron-memo.txt")));
        QVERIFY(a.governance.redactions.value(QStringLiteral("EMAIL")) >= 1);
        QCOMPARE(a.governance.trust, ProviderTrust::Cloud);

        // Injection: the shared-drive note is flagged, and the analyst is told.
        bool flagged = false;
        for (const InjectionFlag &f : a.governance.injectionFlags)
            flagged = flagged || f.documentId == idOf(QStringLiteral("internal-heron-note.txt"));
        QVERIFY(flagged);
        QVERIFY(a.warnings.join(QLatin1Char(' ')).contains(QLatin1String("reads like instructions")));

        // Stored for the report, metered, audited.
        QVERIFY(a.governance.messageId > 0);
        const std::optional<StoredMessage> m = MessageStore(m_library).message(a.governance.messageId);
        QVERIFY(m);
        QCOMPARE(m->question, kQuestion);
        QCOMPARE(m->answer, a.text);
        QCOMPARE(m->trust, QStringLiteral("cloud"));
        QCOMPARE(m->governance.value(QLatin1String("withheld_passages")).toInt(), a.governance.withheldPassages);
        const QList<UsageRecord> usage = UsageMeter(m_library).records();
        QVERIFY(!usage.isEmpty());
        QCOMPARE(usage.constLast().inputTokens, 1'200);
        QCOMPARE(usage.constLast().messageId, a.governance.messageId);
        QVERIFY(usage.constLast().costUsd > 0); // gpt-4o-mini has a default price
        QSqlDatabase db = m_library->connection();
        const AuditEvent last = auditlog::events(db).constLast();
        QCOMPARE(last.kind, QStringLiteral("question.answered"));
        QCOMPARE(last.payload.value(QLatin1String("message_id")).toInteger(), a.governance.messageId);
        QVERIFY(!QJsonDocument(last.payload).toJson().contains("balticfreight"));
    }

    void aLocalProviderSeesRestrictedPassages()
    {
        AskService local(m_library, m_retriever, makeChatProvider(ProviderKind::Extractive));
        const Answer a = local.ask(request());
        QCOMPARE(a.governance.trust, ProviderTrust::Local);
        QCOMPARE(a.governance.withheldPassages, 0);
        bool restrictedUsed = false;
        for (const RetrievedPassage &p : a.sources)
            restrictedUsed = restrictedUsed || p.documentId == idOf(QStringLiteral("restricted-heron-memo.txt"));
        QVERIFY(restrictedUsed);
    }

    void restrictedQuestionsCanBeAnsweredLocallyInstead()
    {
        GovernancePolicy policy;
        policy.restricted = RestrictedHandling::AnswerLocally;
        QVERIFY(policy.save(*m_library));
        CloudServer cloud;
        const Answer a = cloudService(cloud)->ask(request());
        QVERIFY(GovernancePolicy().save(*m_library));
        QCOMPARE(cloud.server.requestCount(), 0);
        QVERIFY(a.governance.routedLocally);
        QCOMPARE(a.provider, QStringLiteral("extractive"));
        QVERIFY(a.warnings.join(QLatin1Char(' ')).contains(QLatin1String("local provider")));
    }

    void anAnswerLeakingTheCanaryIsWithheldAndAudited()
    {
        CloudServer cloud;
        cloud.leakCanary = true;
        QString streamed;
        const Answer a = cloudService(cloud)->ask(request(), [&](QStringView d) { streamed += d; });
        QCOMPARE(cloud.server.requestCount(), 1);
        const QString system = requestTexts(cloud.server.requests().constFirst().json()).constFirst();
        static const QRegularExpression canary(QStringLiteral("dsc-[0-9a-f]{24}"));
        const QString token = canary.match(system).captured();
        QVERIFY(!token.isEmpty());
        QVERIFY(a.governance.leakWithheld);
        QCOMPARE(a.text, injection::withheldText());
        QVERIFY(a.citations.isEmpty());
        QVERIFY(!streamed.contains(token.mid(4, 8)));
        QVERIFY(!a.text.contains(token));
        QSqlDatabase db = m_library->connection();
        const QList<AuditEvent> events = auditlog::events(db);
        QCOMPARE(events.constLast().kind, QStringLiteral("answer.withheld"));
        QCOMPARE(events.constLast().payload.value(QLatin1String("reason")).toString(), QStringLiteral("canary"));
        QCOMPARE(MessageStore(m_library).message(a.governance.messageId)->outcome, QStringLiteral("withheld"));
        QVERIFY(auditlog::verify(db).intact);
    }

    void aSpentHardBudgetStopsCloudCallsButNotLocalOnes()
    {
        UsageMeter meter(m_library);
        Budget b;
        b.monthlyUsd = 0.0001; // already spent by the questions above
        QVERIFY(meter.setBudget(b));
        CloudServer cloud;
        const Answer a = cloudService(cloud)->ask(request());
        QCOMPARE(cloud.server.requestCount(), 0);
        QVERIFY(!a.ok());
        QVERIFY(a.governance.budgetBlocked);
        QVERIFY2(a.errorMessage.contains(QLatin1String("budget")), qPrintable(a.errorMessage));
        QCOMPARE(MessageStore(m_library).message(a.governance.messageId)->outcome, QStringLiteral("blocked"));
        const Answer local = AskService(m_library, m_retriever, makeChatProvider(ProviderKind::Extractive)).ask(request());
        QVERIFY(local.ok());
        QVERIFY(meter.setBudget(Budget()));
    }

    void followUpsKeepTheirConversation()
    {
        AskService local(m_library, m_retriever, makeChatProvider(ProviderKind::Extractive));
        const Answer first = local.ask(request());
        AskRequest next = request(QStringLiteral("Which network address does the vendor portal use?"));
        next.conversationId = first.governance.conversationId;
        next.history << ConversationTurn{first.question, first.text};
        const Answer second = local.ask(next);
        QCOMPARE(second.governance.conversationId, first.governance.conversationId);
        QCOMPARE(MessageStore(m_library).messages(first.governance.conversationId).size(), 2);
    }

    void restrictedHistoryAnsweredLocallyStaysLocal()
    {
        // The first turn is answered locally, from the Restricted memo among others.
        AskService local(m_library, m_retriever, makeChatProvider(ProviderKind::Extractive));
        const Answer first = local.ask(request(QStringLiteral("What is the walk-away price for Project Heron?")));
        QVERIFY(first.text.contains(QLatin1String("455")));
        // The follow-up goes to the cloud provider with the conversation's history.
        CloudServer cloud;
        AskRequest next = request();
        next.conversationId = first.governance.conversationId;
        next.history << ConversationTurn{first.question, first.text};
        const Answer second = cloudService(cloud)->ask(next);
        QCOMPARE(cloud.server.requestCount(), 1);
        const QString all = bodiesOf(cloud).join(QLatin1Char(' '));
        QVERIFY(!all.contains(QLatin1String("walk-away")));
        QVERIFY(!all.contains(QLatin1String("455 million")));
        QVERIFY(second.warnings.join(QLatin1Char(' ')).contains(QLatin1String("earlier turn(s)")));
    }

private:
    QTemporaryDir m_dir;
    std::shared_ptr<Library> m_library;
    std::shared_ptr<HybridRetriever> m_retriever;
};

QTEST_GUILESS_MAIN(TestGovernanceFlow)
#include "tst_governanceflow.moc"
