#pragma once

#include "chat/conversation.h"

#include <functional>

#include <QObject>
#include <QThreadPool>

namespace docsight {

// Conversations as JSON files in the library folder (conversations/<id>.json), read and written on a
// single worker thread so writes land in order and the GUI thread never touches the disk. Callbacks run
// on the GUI thread, and not at all once the store is gone.
class ConversationStore final : public QObject
{
    Q_OBJECT

public:
    explicit ConversationStore(QString folder, QObject *parent = nullptr);
    ~ConversationStore() override;
    Q_DISABLE_COPY_MOVE(ConversationStore)

    QString folder() const { return m_folder; }

    void list(std::function<void(const QList<ConversationSummary> &)> done);   // newest first
    void load(const QString &id, std::function<void(const std::optional<Conversation> &)> done);
    void save(const Conversation &conversation);
    void remove(const QString &id);
    // Blocks until queued writes are on disk (closing the window, tests).
    void flush();

Q_SIGNALS:
    void saveFailed(const QString &message);

private:
    QString pathFor(const QString &id) const;

    QString m_folder;
    QThreadPool m_pool;
};

} // namespace docsight
