// bench_ui [--quick]: how long the GUI thread is ever kept from its event loop while the window
// works. A 5 ms precise timer records the gaps between its ticks; any gap well above 5 ms is a stall the
// analyst would feel (typing, scrolling, the progress bar). Phases, each with its own numbers:
//   import of the scanned PDF (4 pages of OCR) and of R-intro.pdf (113 pages), a forced re-run of OCR on
//   the scan with the viewer showing it, an extractive answer, a streamed answer (2000 deltas from a
//   loopback OpenAI-compatible server), and opening a citation (document load, render, highlight).
// Target: longest stall <= 50 ms in every phase.
#include "../llm/providerfixtures.h"
#include "chat/answerview.h"
#include "chat/chatpanel.h"
#include "library/indexcontroller.h"
#include "library/librarymodel.h"
#include "library/librarypanel.h"
#include "shell/mainwindow.h"
#include "uitestsupport.h"
#include "viewer/documentviewer.h"

#include "ingest/ingestqueue.h"
#include "store/library.h"

#include "loopbackserver.h"
#include "testsupport.h"

#include <algorithm>
#include <functional>

#include <time.h>

#include <QApplication>
#include <QComboBox>
#include <QElapsedTimer>
#include <QTest>
#include <QTextStream>
#include <QTimer>
#include <QToolButton>
#include <QtConcurrent/QtConcurrentRun>

using namespace docsight;

namespace {

QTextStream out(stdout);

// CPU time the calling thread has used, in ms: tells a stall the GUI thread spent working from one
// where it was merely waiting for a core (the machine is shared with other builds).
double threadCpuMs()
{
    timespec ts{};
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

class StallMeter final
{
public:
    StallMeter()
    {
        m_timer.setTimerType(Qt::PreciseTimer);
        m_timer.setInterval(5);
        QObject::connect(&m_timer, &QTimer::timeout, [this] {
            const qint64 now = m_clock.nsecsElapsed();
            const double cpu = threadCpuMs();
            const double gap = (now - m_last) / 1e6;
            if (gap > longest())
                m_longestCpu = cpu - m_lastCpu;
            m_gaps.append(gap);
            m_busiest = std::max(m_busiest, cpu - m_lastCpu);
            m_last = now;
            m_lastCpu = cpu;
        });
    }

    void start()
    {
        m_gaps.clear();
        m_clock.start();
        m_last = 0;
        m_lastCpu = threadCpuMs();
        m_longestCpu = 0;
        m_busiest = 0;
        m_timer.start();
    }

    // GUI-thread CPU time within the longest gap, and the most it used between any two ticks.
    double longestCpu() const { return m_longestCpu; }
    double busiest() const { return m_busiest; }

    void stop() { m_timer.stop(); }
    double seconds() const { return m_clock.elapsed() / 1000.0; }
    double longest() const { return m_gaps.isEmpty() ? 0 : *std::max_element(m_gaps.cbegin(), m_gaps.cend()); }
    double percentile(double p) const
    {
        if (m_gaps.isEmpty())
            return 0;
        QList<double> sorted = m_gaps;
        std::sort(sorted.begin(), sorted.end());
        return sorted.at(std::min<qsizetype>(sorted.size() - 1, static_cast<qsizetype>(p * sorted.size())));
    }
    int over(double ms) const
    {
        return static_cast<int>(std::count_if(m_gaps.cbegin(), m_gaps.cend(), [ms](double g) { return g > ms; }));
    }

private:
    QTimer m_timer;
    QElapsedTimer m_clock;
    qint64 m_last = 0;
    double m_lastCpu = 0;
    double m_longestCpu = 0;
    double m_busiest = 0;
    QList<double> m_gaps;
};

struct Row {
    QString phase;
    double seconds = 0;
    double longest = 0;
    double longestCpu = 0;
    double busiest = 0;
    double p99 = 0;
    int over50 = 0;
};

QList<Row> g_rows;

bool measure(const QString &phase, const std::function<void()> &begin, const std::function<bool()> &done, int timeoutMs)
{
    StallMeter meter;
    meter.start();
    begin();
    QElapsedTimer t;
    t.start();
    while (!done() && t.elapsed() < timeoutMs)
        QCoreApplication::processEvents(QEventLoop::WaitForMoreEvents, 50);
    const bool ok = done();
    meter.stop();
    g_rows.append(Row{phase, meter.seconds(), meter.longest(), meter.longestCpu(), meter.busiest(), meter.percentile(0.99),
                      meter.over(50)});
    out << QStringLiteral("  %1: %2 s, longest stall %3 ms%4\n")
               .arg(phase)
               .arg(meter.seconds(), 0, 'f', 1)
               .arg(meter.longest(), 0, 'f', 1)
               .arg(ok ? QString() : QStringLiteral(" (TIMED OUT)"));
    out.flush();
    return ok;
}

} // namespace

int main(int argc, char *argv[])
{
    qputenv("OMP_THREAD_LIMIT", "1");
    if (qEnvironmentVariableIsEmpty("QT_QPA_PLATFORM"))
        qputenv("QT_QPA_PLATFORM", "offscreen");
    if (qEnvironmentVariableIsEmpty("QT_LOGGING_RULES"))
        qputenv("QT_LOGGING_RULES", "docsight.*.debug=false;docsight.*.info=false");
    QApplication app(argc, argv);
    QThreadPool::globalInstance()->setExpiryTimeout(-1);
    QTemporaryDir dir;
    test::isolateSettings(dir);
    auto library = Library::open(dir.filePath(QStringLiteral("library")), nullptr);
    MainWindow window(library);
    window.resize(1400, 860);
    window.show();
    (void)QTest::qWaitForWindowExposed(&window);
    QTest::qWait(200);
    out << "bench_ui on " << QGuiApplication::platformName() << ", " << QThread::idealThreadCount() << " cores\n";

    LibraryModel *model = window.libraryModel();
    const auto readyCount = [model] {
        int n = 0;
        for (int row = 0; row < model->rowCount(); ++row) {
            const auto r = model->record(model->index(row, 0));
            n += r && (r->status == DocumentStatus::Ready || r->status == DocumentStatus::Failed) ? 1 : 0;
        }
        return n;
    };
    const auto settled = [&window] { return window.ingestQueue()->isIdle() && !window.indexController()->isBusy(); };

    // --quick: a small text PDF instead of the scan (for profiling the chat side).
    const bool quick = QCoreApplication::arguments().contains(QStringLiteral("--quick"));
    measure(quick ? QStringLiteral("import shared-mime-info-spec.pdf (17 pages) + index")
                  : QStringLiteral("import scanned PDF (4 pages OCR) + index"),
            [&] {
                window.importPaths({test::corpusPath(quick ? QStringLiteral("pdf/shared-mime-info-spec.pdf")
                                                           : QStringLiteral("scans/shared-mime-info-spec-p5-8-scanned.pdf"))});
            },
            [&] { return readyCount() == 1 && settled(); }, 600000);
    // The viewer shows the scan while the next import runs, as an analyst would have it.
    window.libraryPanel()->selectDocument(model->record(model->index(0, 0))->id);
    measure(QStringLiteral("import R-intro.pdf (113 pages) + index, viewer open"),
            [&] { window.importPaths({test::corpusPath(QStringLiteral("pdf/R-intro.pdf"))}); },
            [&] { return readyCount() == 2 && settled(); }, 600000);

    // Re-run OCR (forced, every page) of the scan while the viewer shows it, as Document → Re-run OCR
    // does it: the reset on a worker, then the import machinery.
    const qint64 scanId = model->record(model->index(0, 0))->id;
    window.libraryPanel()->selectDocument(scanId);
    bool reread = false;
    QObject::connect(window.ingestQueue(), &IngestQueue::finished, &window, [&reread, scanId](const ImportOutcome &o) {
        reread = reread || o.documentId == scanId;
    });
    measure(QStringLiteral("re-run OCR of the scan (forced) + index, viewer open"),
            [&] {
                ImportOptions forced;
                forced.forceOcr = true;
                (void)QtConcurrent::run([queue = window.ingestQueue(), scanId, forced] { queue->reimport(scanId, forced); });
            },
            [&] { return reread && readyCount() == 2 && settled(); }, 600000);

    ChatPanel *chat = window.chatPanel();
    measure(QStringLiteral("extractive answer"), [&] { chat->ask(QStringLiteral("How do I write my own function in R?")); },
            [&] { return !chat->answerViews().isEmpty() && !chat->answerViews().constLast()->isStreaming(); }, 120000);

    const Answer extractive = chat->answerViews().constLast()->answer();
    if (!extractive.citations.isEmpty()) {
        const Citation c = extractive.citations.first();
        measure(QStringLiteral("open a citation (load, render, highlight)"),
                [&] { QTest::mouseClick(chat->answerViews().constLast()->sourceButtons().first(), Qt::LeftButton); },
                [&] {
                    return window.viewer()->documentId() == c.documentId && !window.viewer()->isLoading()
                           && window.viewer()->currentPage() == c.page && !window.viewer()->hasPendingRenders();
                },
                60000);
    }

    test::LoopbackServer server;
    constexpr int kDeltas = 2000;
    server.setHandler([](const test::LoopbackRequest &r) {
        if (r.path.endsWith("/models"))
            return test::LoopbackResponse::json(200, R"({"data":[{"id":"bench"}]})");
        QList<QByteArray> pieces;
        for (int i = 0; i < kDeltas; ++i)
            pieces << test::openAiChunk(i % 40 == 39 ? QStringLiteral("word.\n\n") : QStringLiteral("word%1 ").arg(i), {}, QStringLiteral("bench"));
        return test::LoopbackResponse::sse(pieces, std::chrono::milliseconds(2));
    });
    AppSettings settings = window.settings();
    ProviderSettings local = settings.provider(ProviderKind::OpenAiCompatible);
    local.enabled = true;
    local.baseUrl = server.url(QStringLiteral("/v1"));
    local.model = QStringLiteral("bench");
    local.maxTokens = 8000;
    settings.setProvider(local);
    window.applySettings(settings);
    auto *picker = chat->findChildren<QComboBox *>().first();
    picker->setCurrentIndex(picker->findData(static_cast<int>(ProviderKind::OpenAiCompatible)));
    Q_EMIT picker->activated(picker->currentIndex());
    QTest::qWait(200);
    measure(QStringLiteral("streamed answer (%1 deltas, 2 ms apart)").arg(kDeltas),
            [&] { chat->ask(QStringLiteral("How do I write my own function in R?")); },
            [&] { return !chat->answerViews().constLast()->isStreaming(); }, 120000);
    const QString streamed = chat->answerViews().constLast()->streamedText();

    out << "\n" << QStringLiteral("%1 %2 %3 %4 %5 %6 %7\n")
                       .arg(QStringLiteral("phase"), -52)
                       .arg(QStringLiteral("time s"), 7)
                       .arg(QStringLiteral("longest ms"), 11)
                       .arg(QStringLiteral("(cpu ms)"), 9)
                       .arg(QStringLiteral("max cpu ms"), 11)
                       .arg(QStringLiteral("p99 ms"), 7)
                       .arg(QStringLiteral(">50 ms"), 7);
    bool ok = true;
    for (const Row &r : std::as_const(g_rows)) {
        out << QStringLiteral("%1 %2 %3 %4 %5 %6 %7\n")
                   .arg(r.phase, -52)
                   .arg(r.seconds, 7, 'f', 1)
                   .arg(r.longest, 11, 'f', 1)
                   .arg(r.longestCpu, 9, 'f', 1)
                   .arg(r.busiest, 11, 'f', 1)
                   .arg(r.p99, 7, 'f', 1)
                   .arg(r.over50, 7);
        ok = ok && r.longest <= 50.0;
    }
    out << "streamed text received: " << streamed.size() << " characters\n"
        << "longest ms: the longest gap between 5 ms ticks; (cpu ms): GUI-thread CPU time inside that gap;\n"
        << "max cpu ms: the most GUI-thread CPU time between any two ticks (work that blocked the loop)\n";
    out << "target: longest stall <= 50 ms in every phase: " << (ok ? "met" : "NOT met") << "\n";
    out.flush();
    window.close();
    return 0;
}
