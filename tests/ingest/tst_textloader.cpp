#include "ingest/textloader.h"

#include <QFile>
#include <QStringDecoder>
#include <QStringEncoder>
#include <QTemporaryDir>
#include <QTest>

using namespace docsight;

class TestTextLoader final : public QObject
{
    Q_OBJECT

public:
    TestTextLoader() = default;

private:
    QTemporaryDir m_dir;
    int m_files = 0;

    QString writeFile(const QByteArray &bytes, const QString &suffix = QStringLiteral("txt"))
    {
        const QString path = m_dir.filePath(QStringLiteral("file-%1.%2").arg(++m_files).arg(suffix));
        QFile file(path);
        if (!file.open(QIODevice::WriteOnly) || file.write(bytes) != bytes.size())
            return {};
        return path;
    }

    static QStringList pageTexts(TextLoader &loader)
    {
        QStringList texts;
        for (int i = 0; i < loader.pageCount(); ++i) {
            const PageResult r = loader.loadPage(i, CancelToken());
            if (r.error.isError())
                return {QStringLiteral("ERROR: ") + r.error.message};
            texts.append(r.page.text);
        }
        return texts;
    }

    QStringList load(const QByteArray &bytes, const QString &suffix = QStringLiteral("txt"))
    {
        TextLoader loader;
        const LoadError error = loader.open(writeFile(bytes, suffix), {});
        if (error.isError())
            return {QStringLiteral("ERROR: ") + error.message};
        return pageTexts(loader);
    }

    static QByteArray encoded(QStringConverter::Encoding encoding, const QString &text, bool bom)
    {
        QStringEncoder encoder(encoding, bom ? QStringConverter::Flag::WriteBom : QStringConverter::Flag::Default);
        return encoder.encode(text);
    }

private Q_SLOTS:
    void initTestCase() { QVERIFY(m_dir.isValid()); }

    void detectsTheEncoding_data()
    {
        QTest::addColumn<QByteArray>("bytes");
        QTest::addColumn<QString>("text");
        const QString sample = QStringLiteral("Grüße, café — 日本語 😀");
        QTest::newRow("utf-8") << sample.toUtf8() << sample;
        QTest::newRow("utf-8 with bom") << encoded(QStringConverter::Utf8, sample, true) << sample;
        QTest::newRow("utf-16le with bom") << encoded(QStringConverter::Utf16LE, sample, true) << sample;
        QTest::newRow("utf-16be with bom") << encoded(QStringConverter::Utf16BE, sample, true) << sample;
        QTest::newRow("utf-16le without bom")
            << encoded(QStringConverter::Utf16LE, QStringLiteral("plain words"), false)
            << QStringLiteral("plain words");
        QTest::newRow("latin-1") << QByteArray("caf\xe9 cr\xe8me") << QStringLiteral("café crème");
    }

    void detectsTheEncoding()
    {
        QFETCH(QByteArray, bytes);
        QFETCH(QString, text);
        QCOMPARE(load(bytes), QStringList{text});
    }

    void readsWindows1252Punctuation()
    {
        if (!QStringDecoder("windows-1252").isValid())
            QSKIP("this Qt has no Windows-1252 codec (built without ICU); Latin-1 is used instead");
        QCOMPARE(load("\x93quoted\x94 \x96 5 \x80"), QStringList{QStringLiteral("“quoted” – 5 €")});
    }

    void normalisesLineEndings()
    {
        QCOMPARE(load("one\r\ntwo\rthree\n\r\nfour"), QStringList{QStringLiteral("one\ntwo\nthree\n\nfour")});
    }

    void keepsMarkdownAsWritten()
    {
        const QString markdown = QStringLiteral("# Title\n\n- item *one*\n- item two\n\n```\n  code\n```");
        QCOMPARE(load(markdown.toUtf8(), QStringLiteral("md")), QStringList{markdown});
    }

    void splitsPagesAtFormFeeds()
    {
        // The empty third page stays, so page numbers match the printout; the final form feed
        // ends page four rather than starting a fifth.
        const QStringList expected{QStringLiteral("page one"), QStringLiteral("  page two\nsecond line"), QString(),
                                   QStringLiteral("page four")};
        QCOMPARE(load("page one\n\f\n  page two\nsecond line\n\f\f\npage four\n\f"), expected);
    }

    void cutsLongTextAtBlankLines()
    {
        QStringList paragraphs;
        for (int i = 1; i <= 60; ++i)
            paragraphs.append(QStringLiteral("Paragraph %1\n").arg(i) + QString(180, u'z'));
        const QStringList pages = load(paragraphs.join(QStringLiteral("\n\n")).toUtf8());
        QVERIFY(pages.size() >= 4);
        QStringList seen;
        for (const QString &page : pages) {
            QVERIFY(page.size() <= 3000);
            QVERIFY(page.size() >= 1000);
            seen += page.split(QStringLiteral("\n\n"));
        }
        QCOMPARE(seen, paragraphs);
    }

    void cutsTextWithoutBlankLinesBetweenWords()
    {
        QStringList words;
        for (int i = 0; i < 2000; ++i)
            words.append(QStringLiteral("word%1").arg(i));
        const QStringList pages = load(words.join(u' ').toUtf8());
        QVERIFY(pages.size() >= 5);
        QStringList seen;
        for (const QString &page : pages) {
            QVERIFY(page.size() <= 3000);
            seen += page.split(u' ');
        }
        QCOMPARE(seen, words);
    }

    void reportsFilesWithoutTextAsEmpty_data()
    {
        QTest::addColumn<QByteArray>("bytes");
        QTest::newRow("empty") << QByteArray();
        QTest::newRow("whitespace") << QByteArray(" \n\t\r\n  \n");
        QTest::newRow("form feeds") << QByteArray("\f\n\f");
        QTest::newRow("bom only") << QByteArray("\xEF\xBB\xBF");
    }

    void reportsFilesWithoutTextAsEmpty()
    {
        QFETCH(QByteArray, bytes);
        TextLoader loader;
        const LoadError error = loader.open(writeFile(bytes), {});
        QCOMPARE(error.kind, LoadError::Kind::Empty);
        QCOMPARE(error.message, QStringLiteral("the file contains no text"));
        QCOMPARE(loader.pageCount(), 0);
    }

    void refusesBinaryDataNamedAsText()
    {
        QByteArray bytes("\x7f"
                         "ELF\x02\x01\x01");
        for (int i = 0; i < 4000; ++i)
            bytes += char(i % 7 == 0 ? 'a' : i % 5);
        TextLoader loader;
        const LoadError error = loader.open(writeFile(bytes), {});
        QCOMPARE(error.kind, LoadError::Kind::Unsupported);
        QVERIFY2(error.message.contains(QStringLiteral("binary")), qPrintable(error.message));
    }

    void refusesFilesOverTheSizeLimit()
    {
        const QString path = m_dir.filePath(QStringLiteral("huge.txt"));
        QFile file(path);
        QVERIFY(file.open(QIODevice::WriteOnly));
        QVERIFY(file.resize(qint64(201) * 1024 * 1024)); // sparse: costs no disk
        file.close();
        TextLoader loader;
        QCOMPARE(loader.open(path, {}).kind, LoadError::Kind::TooLarge);
    }

    void reportsMissingFileAsIoError()
    {
        TextLoader loader;
        QCOMPARE(loader.open(m_dir.filePath(QStringLiteral("missing.txt")), {}).kind, LoadError::Kind::Io);
    }

    void servesPlainPagesAndRefusesBadRequests()
    {
        TextLoader loader;
        QVERIFY(!loader.open(writeFile("one\ftwo"), {}).isError());
        QCOMPARE(loader.pageCount(), 2);
        const PageResult second = loader.loadPage(1, CancelToken());
        QVERIFY(!second.error.isError());
        QCOMPARE(second.page.number, 2);
        QCOMPARE(second.page.source, PageSource::Plain);
        QVERIFY(second.page.words.isEmpty());
        CancelToken cancelled;
        cancelled.cancel();
        QCOMPARE(loader.loadPage(0, cancelled).error.kind, LoadError::Kind::Cancelled);
        QVERIFY(loader.loadPage(2, CancelToken()).error.isError());
    }
};

QTEST_GUILESS_MAIN(TestTextLoader)
#include "tst_textloader.moc"
