// Import speed against the command-line tools doing the same reading, measured in the same run:
//   text PDF:  Docsight import (Poppler text + word boxes, chunking, SQLite) vs `pdftotext`
//   scanned PDF: Docsight import (render 300 dpi + Tesseract, pages spread over every core) vs
//                `tesseract` CLI run page by page sequentially on pdftoppm 300-dpi renders,
//                with the character error rate of both against the ground truth.
// Usage: bench_import [runs]   (default 3; the best run of each is reported)
#include "ingest/ingestqueue.h"
#include "store/documentstore.h"
#include "store/library.h"
#include "util/textnormalize.h"

#include "testsupport.h"

#include <QCoreApplication>
#include <QDir>
#include <QElapsedTimer>
#include <QEventLoop>
#include <QProcess>
#include <QTemporaryDir>
#include <QTextStream>

using namespace docsight;

namespace {

QTextStream out(stdout);

double importSeconds(const QString &path, QString *text)
{
    QTemporaryDir dir;
    auto lib = Library::open(dir.filePath(QStringLiteral("lib")), nullptr);
    IngestQueue queue(lib);
    QEventLoop loop;
    qint64 id = 0;
    QObject::connect(&queue, &IngestQueue::finished, &loop, [&](const ImportOutcome &o) { id = o.documentId; });
    QObject::connect(&queue, &IngestQueue::idle, &loop, &QEventLoop::quit, Qt::QueuedConnection);
    QElapsedTimer t;
    t.start();
    queue.enqueue({path}, {});
    loop.exec();
    const double s = t.nsecsElapsed() / 1e9;
    if (text) {
        text->clear();
        for (const PageContent &p : DocumentStore(lib).pages(id))
            *text += p.text + QLatin1Char('\n');
    }
    return s;
}

double runSeconds(const QString &program, const QStringList &args)
{
    QProcess p;
    QElapsedTimer t;
    t.start();
    p.start(program, args);
    p.waitForFinished(-1);
    if (p.exitCode() != 0)
        out << "  ! " << program << " failed: " << p.readAllStandardError() << Qt::endl;
    return t.nsecsElapsed() / 1e9;
}

} // namespace

int main(int argc, char *argv[])
{
    qputenv("OMP_THREAD_LIMIT", "1");
    QCoreApplication app(argc, argv);
    QThreadPool::globalInstance()->setExpiryTimeout(-1);
    const int runs = argc > 1 ? std::max(1, atoi(argv[1])) : 3;
    QTemporaryDir work;

    // Text PDF.
    const QString rintro = test::corpusPath(QStringLiteral("pdf/R-intro.pdf"));
    double ours = 1e9, ref = 1e9;
    for (int i = 0; i < runs; ++i) {
        ours = std::min(ours, importSeconds(rintro, nullptr));
        ref = std::min(ref, runSeconds(QStringLiteral("pdftotext"), {rintro, work.filePath(QStringLiteral("r.txt"))}));
    }
    out << "R-intro.pdf (113 pages, text layer)\n"
        << QStringLiteral("  docsight import   %1 s\n  pdftotext         %2 s\n  ratio             %3x (target <= 1.5x)\n")
               .arg(ours, 0, 'f', 3).arg(ref, 0, 'f', 3).arg(ours / ref, 0, 'f', 2)
        << Qt::endl;

    // Scanned PDF: tesseract CLI page by page on 300-dpi renders (rendering not timed).
    const QString scan = test::corpusPath(QStringLiteral("scans/shared-mime-info-spec-p5-8-scanned.pdf"));
    const QString truth = test::readTextFile(test::corpusPath(QStringLiteral("scans/shared-mime-info-spec-p5-8-scanned.groundtruth.txt")));
    runSeconds(QStringLiteral("pdftoppm"), {QStringLiteral("-r"), QStringLiteral("300"), QStringLiteral("-png"), scan,
                                            work.filePath(QStringLiteral("page"))});
    QStringList images = QDir(work.path()).entryList({QStringLiteral("page*.png")}, QDir::Files, QDir::Name);
    QString ourText;
    double oursOcr = 1e9, refOcr = 1e9;
    QString refText;
    for (int i = 0; i < std::min(runs, 2); ++i) {
        oursOcr = std::min(oursOcr, importSeconds(scan, &ourText));
        double total = 0;
        refText.clear();
        for (const QString &image : std::as_const(images)) {
            const QString base = work.filePath(QFileInfo(image).completeBaseName());
            total += runSeconds(QStringLiteral("tesseract"), {work.filePath(image), base, QStringLiteral("-l"), QStringLiteral("eng")});
            refText += test::readTextFile(base + QStringLiteral(".txt")) + QLatin1Char('\n');
        }
        refOcr = std::min(refOcr, total);
    }
    out << "shared-mime-info-spec-p5-8-scanned.pdf (" << images.size() << " pages, OCR)\n"
        << QStringLiteral("  docsight import   %1 s  CER %2%\n  tesseract CLI     %3 s  CER %4%  (sequential, page by page)\n"
                          "  ratio             %5x (target <= 0.6x)\n")
               .arg(oursOcr, 0, 'f', 2)
               .arg(100 * characterErrorRate(ourText, truth), 0, 'f', 2)
               .arg(refOcr, 0, 'f', 2)
               .arg(100 * characterErrorRate(refText, truth), 0, 'f', 2)
               .arg(oursOcr / refOcr, 0, 'f', 2)
        << Qt::endl;
    return 0;
}
