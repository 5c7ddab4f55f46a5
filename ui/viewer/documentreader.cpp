#include "viewer/documentreader.h"

#include "common/async.h"

namespace docsight {

DocumentReader::DocumentReader(std::shared_ptr<DocumentStore> store, QObject *parent)
    : QObject(parent)
    , m_store(std::move(store))
{
}

DocumentReader::~DocumentReader()
{
    m_pool.waitForDone();
}

void DocumentReader::load(qint64 documentId, QObject *context, std::function<void(const LoadedDocument &)> done)
{
    runAsync(
        &m_pool, context,
        [store = m_store, documentId] {
            LoadedDocument l;
            // The status may have moved on since the library table was loaded; ask the store.
            l.doc = store->byId(documentId);
            if (!l.doc)
                return l;
            l.pages = store->pages(documentId);
            l.path = store->absoluteStoredPath(*l.doc);
            return l;
        },
        std::move(done));
}

void DocumentReader::find(const QList<PageContent> &pages, const QString &needle, QObject *context,
                          std::function<void(const QList<FindMatch> &)> done)
{
    runAsync(&m_pool, context, [pages, needle] { return findInPages(pages, needle); }, std::move(done));
}

} // namespace docsight
