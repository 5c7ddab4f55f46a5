#pragma once

#include "store/documentstore.h"
#include "viewer/documentfind.h"

#include <functional>
#include <memory>
#include <optional>

#include <QList>
#include <QObject>
#include <QString>
#include <QThreadPool>

namespace docsight {

// The document the viewer shows, as the store has it now.
struct LoadedDocument {
    std::optional<DocumentRecord> doc; // nullopt: no longer in the library
    QList<PageContent> pages;
    QString path;                      // the stored copy
};

// What the document viewer reads and searches off the GUI thread, on a pool of its own so a load never
// waits behind other work. Each result goes to done on context's thread, and not at all once context is gone.
class DocumentReader final : public QObject
{
    Q_OBJECT

public:
    explicit DocumentReader(std::shared_ptr<DocumentStore> store, QObject *parent = nullptr);
    ~DocumentReader() override;
    Q_DISABLE_COPY_MOVE(DocumentReader)

    void load(qint64 documentId, QObject *context, std::function<void(const LoadedDocument &)> done);
    void find(const QList<PageContent> &pages, const QString &needle, QObject *context,
              std::function<void(const QList<FindMatch> &)> done);

private:
    std::shared_ptr<DocumentStore> m_store;
    QThreadPool m_pool;
};

} // namespace docsight
