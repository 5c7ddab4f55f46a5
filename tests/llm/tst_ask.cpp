// Ask end to end over the shared corpus: the offline extractive answerer against the golden questions,
// the audit trail, word boxes, policy, history, and the `ask` CLI contract against loopback providers.
#include "audit/auditlog.h"
#include "llm/askservice.h"
#include "llm/citationresolver.h"
#include "llm/extractiveanswerer.h"
#include "search/builtinembedder.h"
#include "store/documentstore.h"
#include "store/library.h"

#include "providerfixtures.h"
#include "testsupport.h"

#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QMutex>
#include <QProcessEnvironment>
#include <QSqlDatabase>
#include <QTemporaryDir>
#include <QTest>

using namespace docsight;
using namespace docsight::test;

namespace {

const QString kKey = QStringLiteral("sk-test-ask-0a1b2c3d4e5f60718293a4b5c6d7e8f9");

// Stands in for a cloud model: records what it was sent, answers citing S1.
class RecordingProvider final : public ChatProvider
{
public:
    RecordingProvider(bool offDevice, int window) : m_offDevice(offDevice), m_window(window) {}
    Q_DISABLE_COPY_MOVE(RecordingProvider)

    QString id() const override { return QStringLiteral("recording"); }
    QString defaultModel() const override { return QStringLiteral("rec-1"); }
    bool sendsDataOffDevice() const override { return m_offDevice; }
    int contextWindow(const QString &) const override { return m_window; }
    ChatResult chat(const ChatRequest &request, const ChatDeltaFn &onDelta) override
    {
        {
            QMutexLocker lock(&m_mutex);
            m_last = request;
        }
        ChatResult r;
        r.text = QStringLiteral("Recorded answer [S1].");
        r.model = QStringLiteral("rec-1");
        r.usage = {100, 5, true};
        if (onDelta)
            onDelta(r.text);
        return r;
    }
    ModelList listModels(const CancelToken &) override { return {}; }

    ChatRequest last() const
    {
        QMutexLocker lock(&m_mutex);
        return m_last;
    }

private:
    const bool m_offDevice;
    const int m_window;
    mutable QMutex m_mutex;
    ChatRequest m_last;
};

struct GoldenQuestion {
    QString id;
    QString question;
    QString document;
    QList<int> pages;
};

QList<GoldenQuestion> goldenQuestions(const QString &file)
{
    QList<GoldenQuestion> out;
    QFile f(goldenPath(file));
    if (!f.open(QIODevice::ReadOnly))
        return out;
    while (!f.atEnd()) {
        const QJsonObject o = QJsonDocument::fromJson(f.readLine()).object();
        if (o.isEmpty())
            continue;
        GoldenQuestion q{o.value(QLatin1String("id")).toString(), o.value(QLatin1String("question")).toString(),
                         o.value(QLatin1String("document")).toString(), {}};
        for (const QJsonValue v : o.value(QLatin1String("pages")).toArray())
            q.pages << v.toInt();
        out << q;
    }
    return out;
}

} // namespace

class TestAsk final : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase()
    {
        QVERIFY(m_dir.isValid());
        m_lib = m_dir.filePath(QStringLiteral("lib"));
        // R-intro.pdf with the other shared PDFs as distractors.
        const ProcessResult imported = runCli({QStringLiteral("--library"), m_lib, QStringLiteral("import"), corpusPath(QStringLiteral("pdf"))}, 300000);
        QVERIFY2(imported.exitCode == 0, imported.err.constData());
        QString error;
        m_library = Library::open(m_lib, &error);
        QVERIFY2(m_library, qPrintable(error));
        m_retriever = std::make_shared<HybridRetriever>(m_library, QList<std::shared_ptr<Embedder>>{std::make_shared<BuiltinEmbedder>()});
    }

    void extractiveAnswersCiteAnExpectedPage()
    {
        const QList<GoldenQuestion> questions = goldenQuestions(QStringLiteral("r-intro.jsonl"));
        QVERIFY(questions.size() >= 10);
        AskService service(m_library, m_retriever, std::make_shared<ExtractiveAnswerer>());
        int hits = 0;
        for (const GoldenQuestion &q : questions) {
            AskRequest request;
            request.question = q.question;
            request.retrieval.k = 6;
            const Answer a = service.ask(request);
            QVERIFY2(a.ok(), qPrintable(a.errorMessage));
            bool hit = false;
            for (const Citation &c : a.citations)
                hit = hit || (c.document == q.document && q.pages.contains(c.page));
            hits += hit ? 1 : 0;
            if (!hit)
                qInfo().noquote() << "no expected page cited for" << q.id;
        }
        const double rate = double(hits) / double(questions.size());
        qInfo().noquote() << QStringLiteral("extractive citation rate on r-intro.jsonl: %1/%2 = %3")
                                 .arg(hits).arg(questions.size()).arg(rate, 0, 'f', 3);
        QVERIFY2(rate >= 0.8, qPrintable(QString::number(rate)));
    }

    void extractiveSaysPlainlyWhenTheDocumentsHoldNoAnswer()
    {
        AskService service(m_library, m_retriever, std::make_shared<ExtractiveAnswerer>());
        AskRequest request;
        request.question = QStringLiteral("What is the airspeed velocity of an unladen swallow?");
        QString streamed;
        const Answer a = service.ask(request, [&](QStringView d) { streamed += d; });
        QVERIFY(a.ok());
        QVERIFY(a.declined);
        QVERIFY(a.citations.isEmpty());
        QVERIFY(a.uncitedSentences.isEmpty());
        QVERIFY2(a.text.contains(QLatin1String("do not answer")), qPrintable(a.text));
        QCOMPARE(streamed, a.text);
    }

    void extractiveAnswersWhatSomethingIsWithItsDefinition()
    {
        // An appendix heading repeats the question's words, a later sentence names the subject, the
        // middle one defines it: the definition wins, and a one-letter subject is a searchable term.
        const QList<ChatSource> sources{
            {QStringLiteral("S1"), QStringLiteral("manual.pdf"), 103,
             QStringLiteral("B.4 Scripting with R\n\nIf you just want to run a file of R commands, use R CMD BATCH.")},
            {QStringLiteral("S2"), QStringLiteral("manual.pdf"), 8,
             QStringLiteral("1.1 The R environment\n\nR is an integrated suite of software facilities for data "
                            "manipulation, calculation and graphical display. Among other things it has an effective "
                            "data handling facility.")}};
        const ExtractiveAnswerer answerer;
        const QList<ExtractedSentence> picked = answerer.pick(QStringLiteral("What is R?"), sources);
        QVERIFY(!picked.isEmpty());
        QVERIFY2(std::any_of(picked.cbegin(), picked.cend(),
                             [](const ExtractedSentence &e) { return e.text.startsWith(QLatin1String("R is an integrated suite")); }),
                 qPrintable(picked.constFirst().text));
        for (const ExtractedSentence &e : picked)
            QVERIFY2(!e.text.startsWith(QLatin1String("B.4")), "an appendix heading is not an answer");
        // Without a definition among the passages the best-matching sentence is still given.
        QVERIFY(!answerer.pick(QStringLiteral("What is R?"), {sources.constFirst()}).isEmpty());
    }

    void aTableRowAnswersBeforeTheLeadInNamingIt()
    {
        // A cash-flow statement as the PDF loader lays it out: label lines ending in a colon, rows
        // with their values.
        const QList<ChatSource> sources{
            {QStringLiteral("S1"), QStringLiteral("annual-report.pdf"), 3,
             QStringLiteral("CONSOLIDATED STATEMENTS OF CASH FLOWS\n(In millions)\nYears ended 2023 2022 2021\n"
                            "Operating activities:\nNet income 96,995 99,803 94,680\n"
                            "Adjustments to reconcile net income to cash generated by operating activities:\n"
                            "Depreciation and amortization 11,519 11,104 11,284\n"
                            "Cash generated by operating activities 110,543 122,151 104,038\nInvesting activities:")}};
        const QList<ExtractedSentence> picked =
            ExtractiveAnswerer().pick(QStringLiteral("How much cash was generated by operating activities?"), sources);
        QVERIFY(!picked.isEmpty());
        QVERIFY2(std::any_of(picked.cbegin(), picked.cend(),
                             [](const ExtractedSentence &e) { return e.text == QLatin1String("Cash generated by operating activities 110,543 122,151 104,038"); }),
                 qPrintable(picked.constFirst().text));
        QVERIFY2(!picked.constFirst().text.endsWith(QLatin1Char(':')), qPrintable(picked.constFirst().text));
    }

    void aTableRowAnswerSaysWhichYearEachValueIsFor()
    {
        ExtractiveAnswerer answerer;
        const auto answer = [&](const QString &question, const ChatSource &source) {
            ChatRequest request;
            request.question = question;
            request.sources = {source};
            return answerer.chat(request, {}).text;
        };
        const QString rows = QStringLiteral("Net income 96,995 99,803 94,680\n"
                                            "Depreciation and amortization 11,519 11,104 11,284\n"
                                            "Cash generated by operating activities 110,543 122,151 104,038\nInvesting activities:");
        // The column header in the passage: the year asked for, or every year.
        const ChatSource withHeader{QStringLiteral("S1"), QStringLiteral("annual-report.pdf"), 3,
                                    QStringLiteral("Years ended 2023 2022 2021\n") + rows};
        QString text = answer(QStringLiteral("How much cash was generated by operating activities in 2022?"), withHeader);
        QVERIFY2(text.contains(QLatin1String("Cash generated by operating activities 110,543 122,151 104,038 [S1]\n"
                                             "Cash generated by operating activities in 2022: 122,151 [S1]")),
                 qPrintable(text));
        text = answer(QStringLiteral("How much cash was generated by operating activities?"), withHeader);
        QVERIFY2(text.contains(QStringLiteral("Cash generated by operating activities \u2014 2023: 110,543; 2022: 122,151; "
                                              "2021: 104,038 [S1]")),
                 qPrintable(text));
        // The header only in the passage's section (a passage starting mid-table).
        const ChatSource withSection{QStringLiteral("S1"), QStringLiteral("annual-report.pdf"), 3, rows,
                                     QStringLiteral("CONSOLIDATED STATEMENTS OF CASH FLOWS (In millions) Years ended 2023 2022 2021")};
        text = answer(QStringLiteral("What was the 2021 depreciation and amortization?"), withSection);
        QVERIFY2(text.contains(QLatin1String("Depreciation and amortization in 2021 (in millions): 11,284 [S1]")), qPrintable(text));
        // Currency signs set apart from their numbers, as statements print them.
        const ChatSource dollars{QStringLiteral("S1"), QStringLiteral("annual-report.pdf"), 2,
                                 QStringLiteral("2023 2022 2021\nNet sales $ 383,285 $ 394,328 $ 365,817\n"
                                                "Cost of sales 214,137 223,546 212,981\nGross margin $ 169,148 $ 170,782 $ 152,836")};
        text = answer(QStringLiteral("What were net sales in 2021?"), dollars);
        QVERIFY2(text.contains(QLatin1String("Net sales in 2021: 365,817 [S1]")), qPrintable(text));
        // Values and years that do not pair up (a change column) are left as quoted.
        const ChatSource withChange{QStringLiteral("S1"), QStringLiteral("annual-report.pdf"), 3,
                                    QStringLiteral("Years ended 2023 2022 Change\nNet sales 383,285 394,328 (3)%\n"
                                                   "Cost of sales 214,137 223,546 (4)%\nGross margin 169,148 170,782 (1)%")};
        text = answer(QStringLiteral("What were net sales in 2022?"), withChange);
        QVERIFY2(text.contains(QLatin1String("Net sales 383,285 394,328 (3)% [S1]")), qPrintable(text));
        QVERIFY2(!text.contains(QLatin1String("in 2022:")), qPrintable(text));
    }

    void aStatementRowIsReadWithItsScatteredColumnYearsAndUnit()
    {
        // A cash-flow statement as Poppler's text layer gives it (ADOBE_2015_10K.pdf, page 63): the
        // column headers scattered over short lines above and below the rows, dot leaders, and the unit
        // on its own line. The question says "capex"; the statement says "Purchases of property and
        // equipment" (the analyst vocabulary joins them).
        const ChatSource statement{
            QStringLiteral("S1"), QStringLiteral("ADOBE_2015_10K.pdf"), 63,
            QStringLiteral("CONSOLIDATED STATEMENTS OF CASH FLOWS\n\n(In thousands)\n\nNovember 27,\n2015\n"
                           "Cash flows from investing activities:\n"
                           "Purchases of short-term investments ........................ (2,064,833) (2,014,186) (2,058,058)\n"
                           "Acquisitions, net of cash acquired ......................... (826,004) (29,802) (704,589)\n"
                           "Purchases of property and equipment ........................ (184,936) (148,332) (188,358)\n"
                           "Proceeds from sale of property ............................. 57,779 \u2014 24,260\n"
                           "Net cash used for investing activities ..................... (1,488,358) (490,707) (1,177,803)\n\n"
                           "November 29,\n2013\n\nSee accompanying Notes to Consolidated Financial Statements.\n63\n\n"
                           "Years Ended\nNovember 28,\n2014")};
        const ChatSource prose{QStringLiteral("S2"), QStringLiteral("ADOBE_2015_10K.pdf"), 45,
                               QStringLiteral("Data center costs increased primarily due to higher transaction volumes in "
                                              "fiscal 2015 as we continued to invest in capital projects.")};
        ChatRequest request;
        request.question = QStringLiteral("How much did Adobe spend on capex in fiscal 2015?");
        request.sources = {statement, prose};
        const QString text = ExtractiveAnswerer().chat(request, {}).text;
        QVERIFY2(text.startsWith(QLatin1String("Purchases of property and equipment ")), qPrintable(text));
        QVERIFY2(text.contains(QLatin1String("Purchases of property and equipment in 2015 (in thousands): (184,936) [S1]")),
                 qPrintable(text));
    }

    void aSentenceEndingInADateIsNotReadAsATableRow()
    {
        const ChatSource source{QStringLiteral("S1"), QStringLiteral("10-Q.pdf"), 40,
                                QStringLiteral("Six Months Ended December 31, 2022 2021\n\nNet sales increased by $183 million, "
                                               "or by 12%, for the six months ended December 31, 2022, compared to the six "
                                               "months ended December 31, 2021.")};
        ChatRequest request;
        request.question = QStringLiteral("How much did net sales increase in the six months ended December 31, 2022?");
        request.sources = {source};
        const QString text = ExtractiveAnswerer().chat(request, {}).text;
        QVERIFY2(text.contains(QLatin1String("Net sales increased by $183 million")), qPrintable(text));
        QVERIFY2(!text.contains(QLatin1String(" in 2021:")) && !text.contains(QLatin1String(" in 2022:")), qPrintable(text));
    }

    void aQuestionNamingADocumentIsAnsweredFromThatDocument()
    {
        // "Adobe" names ADOBE_2015_10K.pdf among the passages' documents: Best Buy's capital
        // expenditures, though they match the question's other words better, answer another question.
        const QList<ChatSource> sources{
            {QStringLiteral("S1"), QStringLiteral("BESTBUY_2017_10K.pdf"), 44,
             QStringLiteral("Total capital expenditures were $580 million in fiscal 2017, $649 million in fiscal 2016 "
                            "and $561 million in fiscal 2015.")},
            {QStringLiteral("S2"), QStringLiteral("ADOBE_2015_10K.pdf"), 63,
             QStringLiteral("Purchases of property and equipment were $184.9 million in fiscal 2015, mainly for "
                            "the capital expenditures of our new building.")}};
        const QString question = QStringLiteral("How much were Adobe's total capital expenditures in fiscal 2015?");
        const ExtractiveAnswer found = ExtractiveAnswerer().answer(question, sources);
        QVERIFY(!found.sentences.isEmpty());
        QCOMPARE(found.sentences.constFirst().source, 1);

        // Named by no word of the question, both documents stand as before: the closer match answers.
        const ExtractiveAnswer unnamed =
            ExtractiveAnswerer().answer(QStringLiteral("How much were total capital expenditures in fiscal 2015?"), sources);
        QVERIFY(!unnamed.sentences.isEmpty());
        QCOMPARE(unnamed.sentences.constFirst().source, 0);
    }

    void aWeakMatchSaysSoAndShowsTheClosestPassages()
    {
        // Only a minor word of the question is in the passages: no answer is made up from it; the
        // closest passages are shown, each cited, and the answer is not counted as declined.
        const QList<ChatSource> sources{
            {QStringLiteral("S1"), QStringLiteral("manual.pdf"), 12,
             QStringLiteral("The plot command draws a graph of each data file in turn.")},
            {QStringLiteral("S2"), QStringLiteral("manual.pdf"), 40,
             QStringLiteral("Each data file may hold several blocks separated by blank lines.")}};
        ChatRequest request;
        request.question = QStringLiteral("Which colour palette suits a data file of ocean temperatures for colour-blind readers?");
        request.sources = sources;
        const ExtractiveAnswerer answerer;
        const ExtractiveAnswer found = answerer.answer(request.question, sources);
        QVERIFY(found.closestOnly);
        QCOMPARE(found.sentences.size(), 2);
        QVERIFY(answerer.pick(request.question, sources).isEmpty());
        const QString text = ExtractiveAnswerer().chat(request, {}).text;
        QVERIFY2(text.startsWith(ExtractiveAnswerer::closestPassagesText() + QLatin1Char('\n')), qPrintable(text));
        QVERIFY2(text.contains(QLatin1String("[S1]")) && text.contains(QLatin1String("[S2]")), qPrintable(text));

        // Through the ask path: cited passages, not a refusal.
        Answer a;
        QList<RetrievedPassage> passages;
        for (const ChatSource &s : sources) {
            RetrievedPassage p;
            p.documentName = s.document;
            p.page = s.page;
            p.text = s.text;
            p.charEnd = static_cast<int>(s.text.size());
            passages << p;
        }
        citations::resolve(text, passages, &a);
        QCOMPARE(a.citations.size(), 2);
        QVERIFY(!a.declined);
        QVERIFY2(a.uncitedSentences.isEmpty(), qPrintable(a.uncitedSentences.join(QLatin1Char('|'))));
    }

    void citationsCarryWordBoxesOfTheQuotedSentence()
    {
        AskService service(m_library, m_retriever, std::make_shared<ExtractiveAnswerer>());
        AskRequest request;
        request.question = QStringLiteral("Which function computes the singular value decomposition of a matrix?");
        const Answer a = service.ask(request);
        QVERIFY(!a.citations.isEmpty());
        const Citation &c = a.citations.constFirst();
        QVERIFY(c.exactQuote);
        QVERIFY(c.wordCount > 0);
        QCOMPARE(c.boxes.size(), c.wordCount);
        for (const QRectF &box : c.boxes)
            QVERIFY(box.left() >= 0 && box.right() <= 1.0001 && box.top() >= 0 && box.bottom() <= 1.0001);
        // The boxes are the quoted words: the page text under them reads as the quote.
        const std::optional<PageContent> page = DocumentStore(m_library).page(c.documentId, c.page);
        QVERIFY(page);
        QCOMPARE(page->text.mid(c.charStart, c.charEnd - c.charStart).simplified(), c.quote);
        const WordBox &first = page->words.at(c.firstWord);
        QVERIFY(c.quote.startsWith(page->text.mid(first.start, first.length)));
    }

    void everyQuestionIsAuditedByHashNeverByText()
    {
        AskService service(m_library, m_retriever, std::make_shared<ExtractiveAnswerer>());
        AskRequest request;
        request.question = QStringLiteral("How do I draw a stem-and-leaf plot of the eruptions data?");
        const Answer a = service.ask(request);
        QVERIFY(!a.citations.isEmpty());

        QSqlDatabase db = m_library->connection();
        const QList<AuditEvent> events = auditlog::events(db);
        QVERIFY(!events.isEmpty());
        const AuditEvent &e = events.constLast();
        QCOMPARE(e.kind, QStringLiteral("question.answered"));
        const QJsonObject p = e.payload;
        QCOMPARE(p.value(QLatin1String("question_sha256")).toString(), AskService::sha256Hex(request.question));
        QCOMPARE(p.value(QLatin1String("answer_sha256")).toString(), AskService::sha256Hex(a.text));
        QCOMPARE(p.value(QLatin1String("provider")).toString(), QStringLiteral("extractive"));
        QCOMPARE(p.value(QLatin1String("model")).toString(), QStringLiteral("sentence-overlap-v1"));
        QCOMPARE(p.value(QLatin1String("outcome")).toString(), QStringLiteral("answered"));
        const QJsonArray ids = p.value(QLatin1String("passage_chunk_ids")).toArray();
        QCOMPARE(ids.size(), a.sources.size());
        QCOMPARE(ids.first().toInteger(), a.sources.constFirst().chunkId);
        QVERIFY(p.value(QLatin1String("cited_chunk_ids")).toArray().contains(a.citations.constFirst().chunkId));
        // No raw text: neither the question, nor the answer, nor any quote.
        const QString encoded = QString::fromUtf8(auditlog::canonicalEncoding(e));
        QVERIFY(!encoded.contains(QLatin1String("stem-and-leaf"), Qt::CaseInsensitive));
        QVERIFY(!encoded.contains(QLatin1String("eruptions")));
        QVERIFY(!encoded.contains(a.citations.constFirst().quote.left(30)));
        QVERIFY(auditlog::verify(db).intact);
    }

    void restrictedDocumentsNeverReachAnOffDeviceProvider()
    {
        QTemporaryDir dir;
        const QString lib = dir.filePath(QStringLiteral("lib"));
        QCOMPARE(runCli({QStringLiteral("--library"), lib, QStringLiteral("import"), QStringLiteral("--classification"),
                         QStringLiteral("Restricted"), corpusPath(QStringLiteral("pdf/a-text.pdf"))}).exitCode, 0);
        QCOMPARE(runCli({QStringLiteral("--library"), lib, QStringLiteral("import"),
                         corpusPath(QStringLiteral("pdf/debian-refcard-en-a4.pdf"))}).exitCode, 0);
        QString error;
        const auto library = Library::open(lib, &error);
        QVERIFY(library);
        auto retriever = std::make_shared<HybridRetriever>(library, QList<std::shared_ptr<Embedder>>{std::make_shared<BuiltinEmbedder>()});
        AskRequest request;
        request.question = QStringLiteral("Which text says there are 2 pages, a test only, and how do I update packages?");

        auto local = std::make_shared<RecordingProvider>(false, 100000);
        AskService(library, retriever, local).ask(request);
        bool restrictedSeenLocally = false;
        for (const ChatSource &s : local->last().sources)
            restrictedSeenLocally = restrictedSeenLocally || s.document == QLatin1String("a-text.pdf");
        QVERIFY(restrictedSeenLocally); // the question does reach the Restricted document...

        auto cloud = std::make_shared<RecordingProvider>(true, 100000);
        const Answer a = AskService(library, retriever, cloud).ask(request);
        for (const ChatSource &s : cloud->last().sources)
            QVERIFY(s.document != QLatin1String("a-text.pdf")); // ...which a cloud provider never sees
        for (const ChatMessage &m : cloud->last().messages)
            QVERIFY(!m.content.contains(QLatin1String("LibreOffice Writer")));
        QVERIFY(!a.warnings.isEmpty());
        QVERIFY(a.warnings.constFirst().contains(QLatin1String("Restricted")));
    }

    void followUpCarriesOnlyTheHistoryThatFits()
    {
        auto provider = std::make_shared<RecordingProvider>(true, 4096);
        AskService service(m_library, m_retriever, provider);
        AskRequest request;
        request.question = QStringLiteral("And how do I switch it back?");
        for (int i = 0; i < 40; ++i)
            request.history << ConversationTurn{QStringLiteral("Earlier question %1 about sink and output files?").arg(i),
                                                QStringLiteral("Earlier answer %1 ").arg(i) + QString(400, QLatin1Char('z'))};
        const Answer a = service.ask(request);
        QVERIFY(a.ok());
        const ChatRequest sent = provider->last();
        int estimate = PromptBuilder::estimateTokens(sent.system) + PromptBuilder::kMessageOverheadTokens;
        for (const ChatMessage &m : sent.messages)
            estimate += PromptBuilder::estimateTokens(m.content) + PromptBuilder::kMessageOverheadTokens;
        QVERIFY2(estimate + sent.maxTokens <= 4096, qPrintable(QString::number(estimate + sent.maxTokens)));
        QVERIFY(sent.messages.size() < 81);
        QVERIFY(sent.messages.size() % 2 == 1);
        QVERIFY(sent.messages.constLast().content.endsWith(QLatin1String("Question: And how do I switch it back?")));
        if (sent.messages.size() > 1)
            QVERIFY(sent.messages.at(sent.messages.size() - 3).content.startsWith(QLatin1String("Earlier question 39")));
    }

    void cliAskPrintsTheJsonContract()
    {
        const ProcessResult r = runCli({QStringLiteral("--library"), m_lib, QStringLiteral("ask"),
                                        QStringLiteral("Which function computes the singular value decomposition of a matrix?"),
                                        QStringLiteral("--json"), QStringLiteral("--docs"), QStringLiteral("R-intro.pdf"),
                                        QStringLiteral("--k"), QStringLiteral("4")});
        QVERIFY2(r.exitCode == 0, r.err.constData());
        const QJsonObject o = QJsonDocument::fromJson(r.out).object();
        for (const char *key : {"answer", "citations", "provider", "model", "usage", "latency_ms"})
            QVERIFY2(o.contains(QLatin1String(key)), key);
        QCOMPARE(o.value(QLatin1String("provider")).toString(), QStringLiteral("extractive"));
        QVERIFY(o.value(QLatin1String("answer")).toString().contains(QLatin1String("[S1]")));
        const QJsonObject usage = o.value(QLatin1String("usage")).toObject();
        QVERIFY(usage.contains(QLatin1String("input_tokens")) && usage.contains(QLatin1String("output_tokens")));
        const QJsonArray citations = o.value(QLatin1String("citations")).toArray();
        QVERIFY(!citations.isEmpty());
        const QJsonObject c = citations.first().toObject();
        QCOMPARE(c.value(QLatin1String("marker")).toString(), QStringLiteral("S1"));
        QCOMPARE(c.value(QLatin1String("document")).toString(), QStringLiteral("R-intro.pdf"));
        QCOMPARE(c.value(QLatin1String("page")).toInt(), 31);
        QVERIFY(c.value(QLatin1String("quote")).toString().contains(QLatin1String("svd")));
    }

    void cliAskStreamsFromEachHttpProvider_data()
    {
        QTest::addColumn<QString>("provider");
        QTest::newRow("openai") << QStringLiteral("openai");
        QTest::newRow("anthropic") << QStringLiteral("anthropic");
        QTest::newRow("openai-compatible") << QStringLiteral("openai-compatible");
    }

    void cliAskStreamsFromEachHttpProvider()
    {
        QFETCH(QString, provider);
        LoopbackServer server;
        server.setHandler([](const LoopbackRequest &req) {
            if (req.path == "/v1/messages")
                return LoopbackResponse::sse(anthropicStream({QStringLiteral("Use sink "), QStringLiteral("to divert output [S1].")}), {});
            return LoopbackResponse::sse(openAiStream({QStringLiteral("Use sink "), QStringLiteral("to divert output [S1].")}), {});
        });
        qputenv("OPENAI_API_KEY", kKey.toUtf8());
        qputenv("ANTHROPIC_API_KEY", kKey.toUtf8());
        const ProcessResult r = runCli({QStringLiteral("--library"), m_lib, QStringLiteral("ask"),
                                        QStringLiteral("How can I send all console output to a file?"),
                                        QStringLiteral("--provider"), provider, QStringLiteral("--base-url"),
                                        server.url(QStringLiteral("/v1")).toString(), QStringLiteral("--model"),
                                        QStringLiteral("test-model"), QStringLiteral("--temperature"), QStringLiteral("0.7"),
                                        QStringLiteral("--max-tokens"), QStringLiteral("333")});
        qunsetenv("OPENAI_API_KEY");
        qunsetenv("ANTHROPIC_API_KEY");
        QVERIFY2(r.exitCode == 0, r.err.constData());
        const QString out = QString::fromUtf8(r.out);
        QVERIFY2(out.startsWith(QLatin1String("Use sink to divert output [S1].")), qPrintable(out));
        QVERIFY(out.contains(QLatin1String("Sources:\n  [S1] R-intro.pdf, page ")));
        QVERIFY(r.err.contains("tokens in"));
        QVERIFY(!r.err.contains(kKey.toUtf8()) && !r.out.contains(kKey.toUtf8()));
        QCOMPARE(server.requestCount(), 1);
        const LoopbackRequest req = server.requests().constFirst();
        QCOMPARE(req.json().value(QLatin1String("model")).toString(), QStringLiteral("test-model"));
        QCOMPARE(req.json().value(QLatin1String("temperature")).toDouble(), 0.7);
        const QString tokenLimit = provider == QLatin1String("openai") ? QStringLiteral("max_completion_tokens") : QStringLiteral("max_tokens");
        QCOMPARE(req.json().value(tokenLimit).toInt(), 333);
        const QStringList texts = requestTexts(req.json());
        QVERIFY(texts.constLast().contains(QLatin1String("<<<BEGIN S1 dsb-")));
        QVERIFY(texts.constLast().contains(QLatin1String("record.lis")));
        if (provider == QLatin1String("openai-compatible"))
            QVERIFY(!req.hasHeader("authorization"));
        else
            QVERIFY(req.header(provider == QLatin1String("openai") ? "authorization" : "x-api-key").endsWith(kKey.toUtf8()));
    }

    void cliAskRejectsOutOfRangeModelParameters_data()
    {
        QTest::addColumn<QString>("option");
        QTest::addColumn<QString>("value");
        QTest::newRow("temperature not a number") << QStringLiteral("--temperature") << QStringLiteral("warm");
        QTest::newRow("temperature too high") << QStringLiteral("--temperature") << QStringLiteral("3");
        QTest::newRow("max tokens zero") << QStringLiteral("--max-tokens") << QStringLiteral("0");
    }

    void cliAskRejectsOutOfRangeModelParameters()
    {
        QFETCH(QString, option);
        QFETCH(QString, value);
        const ProcessResult r = runCli({QStringLiteral("--library"), m_lib, QStringLiteral("ask"), QStringLiteral("What is R?"),
                                        option, value});
        QCOMPARE(r.exitCode, 2);
        QVERIFY2(r.err.contains(QByteArray(option.toUtf8() + " must be")), r.err.constData());
    }

    void cliAskExplainsARejectedKeyWithoutShowingIt()
    {
        LoopbackServer server;
        server.setHandler([](const LoopbackRequest &) {
            return LoopbackResponse::json(401, openAiBadKeyBody(kKey.toUtf8()));
        });
        qputenv("OPENAI_API_KEY", kKey.toUtf8());
        const ProcessResult r = runCli({QStringLiteral("--library"), m_lib, QStringLiteral("ask"), QStringLiteral("What is sink?"),
                                        QStringLiteral("--provider"), QStringLiteral("openai"), QStringLiteral("--base-url"),
                                        server.url(QStringLiteral("/v1")).toString(), QStringLiteral("--json")});
        qunsetenv("OPENAI_API_KEY");
        QCOMPARE(r.exitCode, 1);
        QVERIFY2(r.err.contains("rejected the API key"), r.err.constData());
        QVERIFY(!r.err.contains(kKey.toUtf8()) && !r.out.contains(kKey.toUtf8()));
        QCOMPARE(server.requestCount(), 1);
        QVERIFY(QJsonDocument::fromJson(r.out).object().value(QLatin1String("error")).toString().contains(QLatin1String("401")));
    }

private:
    QTemporaryDir m_dir;
    QString m_lib;
    std::shared_ptr<Library> m_library;
    std::shared_ptr<HybridRetriever> m_retriever;
};

QTEST_GUILESS_MAIN(TestAsk)
#include "tst_ask.moc"
