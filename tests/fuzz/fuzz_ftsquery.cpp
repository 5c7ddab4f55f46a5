// The keyword search must turn any question into a MATCH expression SQLite accepts. Each input is
// tried against a real library's FTS5 table (porter unicode61, as in the schema) three ways: quoted
// as one term by ftsString(), as a question through KeywordSearch::prepare() and search() (both its
// single and its two-pass expression), and the prepared expression run directly. A syntax error
// anywhere stops the run; search() would only log it and find nothing.

#include "fuzzsupport.h"

#include "model/chunk.h"
#include "search/keywordsearch.h"
#include "store/documentstore.h"
#include "store/library.h"

#include <QLoggingCategory>
#include <QSqlError>
#include <QSqlQuery>
#include <QTemporaryDir>

using namespace docsight;

namespace {

struct Fixture {
    QTemporaryDir dir;
    std::shared_ptr<Library> library;
    qint64 documentId = 0;
};

// A few varied passages, and enough filler mentioning "revenue" that a question with it and a rarer
// word takes search()'s second pass (the word is past its posting budget).
QList<Chunk> chunks()
{
    const QStringList texts = {
        QStringLiteral("Revenue grew in fiscal 2024; operating income and revenue guidance were raised."),
        QStringLiteral("The revenue table lists net revenue by segment: cloud, devices, services."),
        QStringLiteral("Café naïve façade — diacritics fold away. NEAR OR AND NOT are plain words here."),
        QStringLiteral("Revenue recognition: contracts, performance obligations, deferred revenue."),
        QStringLiteral("漢字 and Ελληνικά and кириллица sit beside revenue numbers 1,234.56."),
    };
    QList<Chunk> out;
    for (int i = 0; i < 1600; ++i) {
        Chunk c;
        c.ordinal = i;
        c.page = 1 + i / 10;
        c.text = i < texts.size() ? texts.at(i) : QStringLiteral("Quarterly revenue, item %1.").arg(i);
        c.charStart = 0;
        c.charEnd = int(c.text.size());
        c.heading = QStringLiteral("Revenue");
        out.append(c);
    }
    return out;
}

void failOnSearchWarnings(QtMsgType type, const QMessageLogContext &context, const QString &message)
{
    if (type >= QtWarningMsg && context.category && qstrcmp(context.category, "docsight.search.keyword") == 0)
        fuzz::fail("keyword search logged a failure", message);
}

Fixture &fixture()
{
    static Fixture f = [] {
        Fixture made;
        QString error;
        DOCSIGHT_FUZZ_CHECK(made.dir.isValid(), made.dir.errorString());
        made.library = Library::open(made.dir.filePath(QStringLiteral("library")), &error);
        DOCSIGHT_FUZZ_CHECK(made.library != nullptr, error);
        DocumentStore store(made.library);
        DocumentRecord record;
        record.name = QStringLiteral("annual-report \"2024\".pdf");
        record.sha256 = QStringLiteral("00");
        record.type = QStringLiteral("pdf");
        record.storedFile = QStringLiteral("files/00.pdf");
        made.documentId = store.add(record, &error);
        DOCSIGHT_FUZZ_CHECK(made.documentId > 0, error);
        DOCSIGHT_FUZZ_CHECK(store.markImporting(made.documentId, 1, &error), error);
        QList<Chunk> cs = chunks();
        for (Chunk &c : cs)
            c.documentId = made.documentId;
        DOCSIGHT_FUZZ_CHECK(store.complete(made.documentId, cs, {}, &error), error);
        return made;
    }();
    return f;
}

void mustMatch(const Library &library, const QString &expression, const QString &what)
{
    QSqlQuery q(library.connection());
    q.prepare(QStringLiteral("SELECT rowid FROM chunks_fts WHERE chunks_fts MATCH ? LIMIT 10"));
    q.addBindValue(expression);
    DOCSIGHT_FUZZ_CHECK(q.exec(), what + QStringLiteral(": ") + q.lastError().text() + QStringLiteral(" in ") + expression);
    while (q.next()) {
    }
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    fuzz::ensureApplication();
    static const QtMessageHandler previous = qInstallMessageHandler(failOnSearchWarnings);
    (void)previous;
    Fixture &f = fixture();
    const QString text = fuzz::textOf(data, size);

    mustMatch(*f.library, ftsString(text), QStringLiteral("ftsString"));

    const KeywordSearch search(f.library);
    const KeywordQuery query = search.prepare(text);
    DOCSIGHT_FUZZ_CHECK(query.isEmpty() == !query.message.isEmpty(), query.message);
    DOCSIGHT_FUZZ_CHECK(query.terms.size() <= KeywordSearch::kMaxTerms, QString::number(query.terms.size()));
    if (query.isEmpty())
        return 0;
    mustMatch(*f.library, query.expression, QStringLiteral("prepare()"));
    (void)search.search(query, 10);
    const QList<qint64> documents{f.documentId};
    (void)search.search(query, 10, &documents);
    return 0;
}
