#include "audit/auditlog.h"
#include "store/library.h"

#include <QSqlQuery>
#include <QTemporaryDir>
#include <QTest>

using namespace docsight;

// Each test builds a five-event trail, tampers with it the way an attacker editing the SQLite file
// directly would, and expects verify() to name the first bad event.
class TestAuditLog final : public QObject
{
    Q_OBJECT

    std::shared_ptr<Library> makeTrail(QTemporaryDir &dir, int events = 5)
    {
        auto lib = Library::open(dir.filePath(QStringLiteral("lib")), nullptr);
        for (int i = 1; i <= events; ++i) {
            const bool ok = lib->write([i](QSqlDatabase &db) {
                return auditlog::append(db, QStringLiteral("test.event"), QStringLiteral("document:%1").arg(i),
                                        {{QStringLiteral("n"), i}});
            });
            if (!ok)
                return nullptr;
        }
        return lib;
    }

    static void exec(const std::shared_ptr<Library> &lib, const QString &sql)
    {
        QSqlQuery q(lib->connection());
        QVERIFY2(q.exec(sql), qPrintable(sql));
    }

private Q_SLOTS:
    void intactTrailVerifiesAndReportsHead()
    {
        QTemporaryDir dir;
        auto lib = makeTrail(dir);
        QVERIFY(lib);
        QSqlDatabase db = lib->connection();
        const AuditVerification v = auditlog::verify(db);
        QVERIFY2(v.intact, qPrintable(v.problem));
        QCOMPARE(v.events, 5);
        QSqlQuery q(db);
        QVERIFY(q.exec(QStringLiteral("SELECT hash FROM audit_events WHERE seq = 5")) && q.next());
        QCOMPARE(v.headHash, q.value(0).toString());
    }

    void emptyTrailIsIntact()
    {
        QTemporaryDir dir;
        auto lib = makeTrail(dir, 0);
        QSqlDatabase db = lib->connection();
        QVERIFY(auditlog::verify(db).intact);
    }

    void detectsTampering_data()
    {
        QTest::addColumn<QString>("sql");
        QTest::addColumn<qint64>("firstBad");
        QTest::newRow("edited payload") << QStringLiteral("UPDATE audit_events SET payload = '{\"n\":42}' WHERE seq = 3")
                                        << qint64(3);
        QTest::newRow("edited kind") << QStringLiteral("UPDATE audit_events SET kind = 'x' WHERE seq = 2") << qint64(2);
        QTest::newRow("edited timestamp")
            << QStringLiteral("UPDATE audit_events SET at = '2020-01-01T00:00:00.000Z' WHERE seq = 4") << qint64(4);
        QTest::newRow("deleted middle") << QStringLiteral("DELETE FROM audit_events WHERE seq = 3") << qint64(3);
        QTest::newRow("deleted first") << QStringLiteral("DELETE FROM audit_events WHERE seq = 1") << qint64(1);
        QTest::newRow("deleted last") << QStringLiteral("DELETE FROM audit_events WHERE seq = 5") << qint64(5);
        QTest::newRow("inserted") << QStringLiteral(
            "INSERT INTO audit_events (seq, at, kind, subject, payload, prev_hash, hash) "
            "SELECT 6, at, kind, subject, payload, hash, hash FROM audit_events WHERE seq = 5")
                                  << qint64(6);
        QTest::newRow("reordered") << QStringLiteral(
            "UPDATE audit_events SET seq = CASE seq WHEN 2 THEN 3 WHEN 3 THEN 2 END WHERE seq IN (2, 3)")
                                   << qint64(2);
    }

    void detectsTampering()
    {
        QFETCH(QString, sql);
        QFETCH(qint64, firstBad);
        QTemporaryDir dir;
        auto lib = makeTrail(dir);
        QVERIFY(lib);
        // Reordering swaps primary keys, which needs a detour through a free value.
        if (sql.contains(QLatin1String("CASE seq"))) {
            exec(lib, QStringLiteral("UPDATE audit_events SET seq = 100 WHERE seq = 2"));
            exec(lib, QStringLiteral("UPDATE audit_events SET seq = 2 WHERE seq = 3"));
            exec(lib, QStringLiteral("UPDATE audit_events SET seq = 3 WHERE seq = 100"));
        } else {
            exec(lib, sql);
        }
        QSqlDatabase db = lib->connection();
        const AuditVerification v = auditlog::verify(db);
        QVERIFY(!v.intact);
        QCOMPARE(v.firstBadSeq, firstBad);
        QVERIFY(!v.problem.isEmpty());
    }

    void rolledBackChangeLeavesNoEvent()
    {
        QTemporaryDir dir;
        auto lib = makeTrail(dir, 1);
        const bool ok = lib->write([](QSqlDatabase &db) {
            auditlog::append(db, QStringLiteral("test.event"), QStringLiteral("x"), {});
            return false; // the change it recorded failed
        });
        QVERIFY(!ok);
        QSqlDatabase db = lib->connection();
        const AuditVerification v = auditlog::verify(db);
        QVERIFY(v.intact);
        QCOMPARE(v.events, 1);
    }

    void canonicalEncodingIsStable()
    {
        AuditEvent e;
        e.seq = 7;
        e.at = QDateTime::fromString(QStringLiteral("2026-01-02T03:04:05.006Z"), Qt::ISODateWithMs);
        e.kind = QStringLiteral("k");
        e.subject = QStringLiteral("s");
        e.payload = {{QStringLiteral("b"), 2}, {QStringLiteral("a"), QStringLiteral("x")}};
        QCOMPARE(auditlog::canonicalEncoding(e),
                 QByteArray(R"({"at":"2026-01-02T03:04:05.006Z","kind":"k","payload":{"a":"x","b":2},"seq":7,"subject":"s"})"));
    }
};

QTEST_GUILESS_MAIN(TestAuditLog)
#include "tst_auditlog.moc"
