#include "search/bm25floor.h"

#include "search/keywordsearch.h"
#include "store/documentstore.h"
#include "store/library.h"

#include <algorithm>
#include <atomic>

#include <QLoggingCategory>
#include <QRegularExpression>
#include <QSet>
#include <QSqlDatabase>
#include <QSqlError>
#include <QSqlQuery>
#include <QVariant>

namespace docsight {

Q_LOGGING_CATEGORY(lcBm25Floor, "docsight.search.bm25floor")

namespace {

// bm25_floor.py's list, word for word: the floor is only comparable while both drop the same words.
const QSet<QString> &stopWords()
{
    static const QSet<QString> words = [] {
        QSet<QString> out;
        const QString list = QStringLiteral(
            "a an the of to in on for and or is are be how do i can what which with by from as at it that this does when "
            "where who why into its their there must such than then these those was were will would");
        for (const QString &w : list.split(QLatin1Char(' '), Qt::SkipEmptyParts))
            out.insert(w);
        return out;
    }();
    return words;
}

QString nextConnectionName()
{
    // Unique per instance, so two floors (or two threads) never share, or close, each other's database.
    static std::atomic_int s_next{0};
    return QStringLiteral("docsight-bm25floor-%1").arg(s_next.fetch_add(1));
}

bool exec(QSqlQuery &q, const QString &what, QString *error)
{
    if (q.exec())
        return true;
    if (error)
        *error = QStringLiteral("%1: %2").arg(what, q.lastError().text());
    return false;
}

} // namespace

Bm25Floor::Bm25Floor(std::shared_ptr<Library> library)
    : m_library(std::move(library))
    , m_connectionName(nextConnectionName())
{
}

Bm25Floor::~Bm25Floor()
{
    if (!QSqlDatabase::contains(m_connectionName))
        return;
    // Every query on it is gone by now (they live only inside build() and search()), so the
    // connection can be dropped without Qt warning that it is still in use.
    QSqlDatabase::database(m_connectionName, false).close();
    QSqlDatabase::removeDatabase(m_connectionName);
}

QString Bm25Floor::collapseWhitespace(const QString &text)
{
    // Python's \s on str: Unicode whitespace, which is QChar::isSpace() plus the four ASCII
    // separators U+001C..U+001F.
    QString out;
    out.reserve(text.size());
    bool inSpace = false;
    for (const QChar c : text) {
        const bool space = c.isSpace() || (c.unicode() >= 0x1c && c.unicode() <= 0x1f);
        if (space) {
            if (!inSpace)
                out.append(QLatin1Char(' '));
            inSpace = true;
        } else {
            out.append(c);
            inSpace = false;
        }
    }
    return out;
}

QString Bm25Floor::matchExpression(const QString &question)
{
    static const QRegularExpression token(QStringLiteral("[A-Za-z0-9_.]+"));
    QStringList terms;
    const QString lower = question.toLower();
    for (auto it = token.globalMatch(lower); it.hasNext();) {
        const QString word = it.next().captured();
        if (!stopWords().contains(word))
            terms.append(ftsString(word)); // the script's '"%s"' quoting: these tokens hold no quote
    }
    return terms.join(QStringLiteral(" OR "));
}

bool Bm25Floor::build(const std::optional<QList<qint64>> &documentIds, QString *error)
{
    m_windows = 0;
    QSqlDatabase db = QSqlDatabase::contains(m_connectionName)
                          ? QSqlDatabase::database(m_connectionName)
                          : QSqlDatabase::addDatabase(QStringLiteral("QSQLITE"), m_connectionName);
    if (!db.isOpen()) {
        db.setDatabaseName(QStringLiteral(":memory:"));
        db.open();
    }
    if (!db.isOpen()) {
        if (error)
            *error = QStringLiteral("cannot open an in-memory database: %1").arg(db.lastError().text());
        return false;
    }
    QSqlQuery q(db);
    q.exec(QStringLiteral("DROP TABLE IF EXISTS c")); // build() again starts over
    if (!q.exec(QStringLiteral("CREATE VIRTUAL TABLE c USING fts5(doc UNINDEXED, page UNINDEXED, body, "
                               "tokenize='porter unicode61 remove_diacritics 2')"))) {
        if (error)
            *error = QStringLiteral("cannot create the FTS5 table: %1").arg(q.lastError().text());
        return false;
    }
    db.transaction();
    QSqlQuery insert(db);
    insert.prepare(QStringLiteral("INSERT INTO c(doc, page, body) VALUES (?, ?, ?)"));
    DocumentStore store(m_library);
    for (const DocumentRecord &doc : store.list()) {
        if (doc.status != DocumentStatus::Ready || (documentIds && !documentIds->contains(doc.id)))
            continue;
        for (const PageContent &page : store.pages(doc.id)) {
            const QString text = collapseWhitespace(page.text);
            // As the script: an empty page still gets one (empty) window.
            for (qsizetype start = 0; start < std::max<qsizetype>(1, text.size()); start += kStride) {
                insert.bindValue(0, doc.name);
                insert.bindValue(1, page.number);
                insert.bindValue(2, text.mid(start, kWindow));
                if (!exec(insert, QStringLiteral("cannot index a window"), error)) {
                    db.rollback();
                    return false;
                }
                ++m_windows;
            }
        }
    }
    db.commit();
    qCDebug(lcBm25Floor) << "indexed" << m_windows << "windows";
    return true;
}

QList<FloorHit> Bm25Floor::search(const QString &question, int limit) const
{
    QList<FloorHit> out;
    const QString expression = matchExpression(question);
    if (expression.isEmpty() || !QSqlDatabase::contains(m_connectionName))
        return out;
    QSqlQuery q(QSqlDatabase::database(m_connectionName));
    q.setForwardOnly(true);
    q.prepare(QStringLiteral("SELECT doc, page FROM c WHERE c MATCH ? ORDER BY rank LIMIT ?"));
    q.addBindValue(expression);
    q.addBindValue(limit);
    if (!q.exec()) {
        qCWarning(lcBm25Floor).noquote() << "floor query failed:" << q.lastError().text();
        return out;
    }
    while (q.next())
        out.append({q.value(0).toString(), q.value(1).toInt()});
    return out;
}

} // namespace docsight
