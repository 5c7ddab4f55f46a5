// Libraries written by earlier Docsight versions open and upgrade; newer ones are refused untouched.
#include "store/documentstore.h"
#include "store/library.h"
#include "store/schema.h"

#include "testsupport.h"

#include <QCryptographicHash>
#include <QDir>
#include <QFile>
#include <QSqlDatabase>
#include <QSqlQuery>
#include <QTemporaryDir>
#include <QTest>

using namespace docsight;

namespace {

// Runs fn on a plain connection to path (no Library), as an older build would have.
template<typename Fn>
void withDatabase(const QString &path, Fn fn)
{
    const QString name = QStringLiteral("raw-") + path;
    {
        QSqlDatabase db = QSqlDatabase::addDatabase(QStringLiteral("QSQLITE"), name);
        db.setDatabaseName(path);
        QVERIFY(db.open());
        fn(db);
        db.close();
    }
    QSqlDatabase::removeDatabase(name);
}

void exec(QSqlDatabase &db, const QString &sql)
{
    QSqlQuery q(db);
    QVERIFY2(q.exec(sql), qPrintable(sql));
}

QByteArray fileHash(const QString &path)
{
    QFile f(path);
    if (!f.open(QIODevice::ReadOnly))
        return {};
    return QCryptographicHash::hash(f.readAll(), QCryptographicHash::Sha256);
}

} // namespace

class TestSchemaMigration final : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void migratesAVersionOneLibraryAndMakesItsChunksSearchable()
    {
        QTemporaryDir dir;
        const QString folder = dir.filePath(QStringLiteral("lib"));
        QVERIFY(QDir().mkpath(folder));
        const QString path = folder + QStringLiteral("/library.sqlite3");
        withDatabase(path, [](QSqlDatabase &db) {
            QString error;
            QVERIFY2(schema::migrateTo(db, 1, &error), qPrintable(error));
            QCOMPARE(schema::storedVersion(db), 1);
            exec(db, QStringLiteral("INSERT INTO documents (id, name, original_path, sha256, size, type, stored_file, "
                                    "page_count, status, created_at, updated_at) VALUES (1, 'geysers.txt', '/x', 'abc', "
                                    "10, 'text', 'files/abc.txt', 1, 'ready', 'now', 'now')"));
            exec(db, QStringLiteral("INSERT INTO chunks (document_id, ordinal, page_number, char_start, char_end, "
                                    "first_word, word_count, heading, text) VALUES (1, 0, 1, 0, 40, 0, 0, "
                                    "'Old Faithful', 'Eruptions of the geyser last minutes.')"));
        });

        QString error;
        const auto lib = Library::open(folder, &error);
        QVERIFY2(lib, qPrintable(error));
        QCOMPARE(lib->schemaVersion(), schema::currentVersion());
        QVERIFY(schema::currentVersion() >= 2);
        QSqlDatabase db = lib->connection();
        QSqlQuery q(db);
        // The old chunk was indexed by the migration: by its text, its heading and its document name.
        for (const QString &word : {QStringLiteral("eruption"), QStringLiteral("faithful"), QStringLiteral("geysers")}) {
            QVERIFY(q.exec(QStringLiteral("SELECT rowid FROM chunks_fts WHERE chunks_fts MATCH '\"%1\"'").arg(word)));
            QVERIFY2(q.next(), qPrintable(word));
        }
        // New chunks, and removals, keep the index in step (triggers).
        DocumentStore store(lib);
        QVERIFY(store.remove(1));
        QVERIFY(q.exec(QStringLiteral("SELECT COUNT(*) FROM chunks_fts WHERE chunks_fts MATCH '\"geyser\"'")));
        QVERIFY(q.next());
        QCOMPARE(q.value(0).toInt(), 0);
        QVERIFY(q.exec(QStringLiteral("INSERT INTO chunks_fts(chunks_fts, rank) VALUES('integrity-check', 1)")));
    }

    void migratesAnEmptyFolderToTheCurrentVersion()
    {
        QTemporaryDir dir;
        QString error;
        const auto lib = Library::open(dir.filePath(QStringLiteral("lib")), &error);
        QVERIFY2(lib, qPrintable(error));
        QCOMPARE(lib->schemaVersion(), schema::currentVersion());
        QSqlQuery q(lib->connection());
        QVERIFY(q.exec(QStringLiteral("SELECT chunk_id, embedder_id, vector FROM embeddings")));
    }

    void refusesANewerLibraryWithoutTouchingIt()
    {
        QTemporaryDir dir;
        const QString folder = dir.filePath(QStringLiteral("lib"));
        QVERIFY(QDir().mkpath(folder));
        const QString path = folder + QStringLiteral("/library.sqlite3");
        withDatabase(path, [](QSqlDatabase &db) {
            exec(db, QStringLiteral("CREATE TABLE future (x)"));
            exec(db, QStringLiteral("PRAGMA user_version = 99"));
        });
        const QByteArray before = fileHash(path);
        QString error;
        QVERIFY(!Library::open(folder, &error));
        QVERIFY2(error.contains(QLatin1String("newer Docsight")) && error.contains(QLatin1String("99")), qPrintable(error));
        QCOMPARE(fileHash(path), before);
        withDatabase(path, [](QSqlDatabase &db) { QCOMPARE(schema::storedVersion(db), 99); });
    }
};

QTEST_GUILESS_MAIN(TestSchemaMigration)
#include "tst_schemamigration.moc"
