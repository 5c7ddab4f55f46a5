#pragma once

#include "settings/appsettings.h"

#include <memory>

#include <QList>
#include <QObject>
#include <QString>
#include <QThreadPool>
#include <QUrl>

class QTimer;

namespace docsight {

class Embedder;
class HybridRetriever;
class Indexer;
class Library;

// Keeps the library's vectors in step with its passages, in the background: after imports (debounced)
// and when the analyst picks another embedder (which re-embeds everything while search keeps using the
// old vectors until the new ones are complete). Owns the retriever the chat panel asks through.
class IndexController final : public QObject
{
    Q_OBJECT

public:
    enum class State { Idle, Preparing, Indexing, Failed };

    explicit IndexController(std::shared_ptr<Library> library, QObject *parent = nullptr);
    ~IndexController() override;
    Q_DISABLE_COPY_MOVE(IndexController)

    std::shared_ptr<HybridRetriever> retriever() const { return m_retriever; }
    // Applies the embedder choice; re-indexes when it changed.
    void configure(const AppSettings &settings);
    // Embeds whatever passages have no vector yet, shortly (bursts of imports are coalesced).
    void scheduleIndexing();

    State state() const { return m_state; }
    // Indexing is running or about to (imports just finished).
    bool isBusy() const;
    QString embedderName() const;   // what search embeds questions with
    QString stateText() const;      // one line for the status bar
    int done() const { return m_done; }
    int total() const { return m_total; }

Q_SIGNALS:
    void stateChanged();

private:
    void start();
    void setState(State state, const QString &message = {});
    void useEmbedders(QList<std::shared_ptr<Embedder>> all, std::shared_ptr<Embedder> chosen);

    std::shared_ptr<Library> m_library;
    std::shared_ptr<HybridRetriever> m_retriever;
    QList<std::shared_ptr<Embedder>> m_embedders;
    std::shared_ptr<Embedder> m_chosen;
    QUrl m_httpUrl;                 // the embedding server's address when m_chosen is one (gated when cloud)
    QList<std::shared_ptr<Indexer>> m_running;
    QTimer *m_debounce = nullptr;
    State m_state = State::Idle;
    QString m_message;
    QString m_configured;           // the embedder configuration last applied
    int m_done = 0;
    int m_total = 0;
    int m_withheld = 0;             // Restricted passages the last run kept from a cloud embedding server
    bool m_again = false;
    quint64 m_generation = 0;
    QThreadPool m_pool;             // embedding a large library takes minutes: not on the shared pool
};

} // namespace docsight
