#include "chat/conversationstore.h"

#include "common/async.h"

#include <algorithm>

#include <QDir>
#include <QFile>
#include <QJsonDocument>
#include <QRegularExpression>
#include <QSaveFile>
#include <QtConcurrent/QtConcurrentRun>

namespace docsight {
namespace {

bool isSafeId(const QString &id)
{
    static const QRegularExpression pattern(QStringLiteral("^[A-Za-z0-9_-]{1,64}$"));
    return pattern.match(id).hasMatch();
}

std::optional<Conversation> readConversation(const QString &path)
{
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly))
        return std::nullopt;
    const QJsonDocument doc = QJsonDocument::fromJson(file.readAll());
    return doc.isObject() ? conversationFromJson(doc.object()) : std::nullopt;
}

} // namespace

ConversationStore::ConversationStore(QString folder, QObject *parent)
    : QObject(parent)
    , m_folder(std::move(folder))
{
    m_pool.setMaxThreadCount(1);
    m_pool.setExpiryTimeout(-1);
}

ConversationStore::~ConversationStore()
{
    m_pool.waitForDone();
}

QString ConversationStore::pathFor(const QString &id) const
{
    return m_folder + QLatin1Char('/') + id + QStringLiteral(".json");
}

void ConversationStore::list(std::function<void(const QList<ConversationSummary> &)> done)
{
    runAsync(
        &m_pool, this,
        [folder = m_folder] {
            QList<ConversationSummary> out;
            const QFileInfoList files = QDir(folder).entryInfoList({QStringLiteral("*.json")}, QDir::Files);
            for (const QFileInfo &info : files) {
                const std::optional<Conversation> c = readConversation(info.absoluteFilePath());
                if (c && !c->isEmpty())
                    out.append(ConversationSummary{c->id, c->title, c->updated, static_cast<int>(c->turns.size())});
            }
            std::sort(out.begin(), out.end(), [](const auto &a, const auto &b) { return a.updated > b.updated; });
            return out;
        },
        std::move(done));
}

void ConversationStore::load(const QString &id, std::function<void(const std::optional<Conversation> &)> done)
{
    const QString path = isSafeId(id) ? pathFor(id) : QString();
    runAsync(
        &m_pool, this, [path] { return path.isEmpty() ? std::optional<Conversation>() : readConversation(path); },
        std::move(done));
}

void ConversationStore::save(const Conversation &conversation)
{
    if (!isSafeId(conversation.id) || conversation.isEmpty())
        return;
    // Serialise here: the worker gets bytes, not a structure the GUI keeps changing.
    const QByteArray bytes = QJsonDocument(conversationToJson(conversation)).toJson(QJsonDocument::Indented);
    runAsync(
        &m_pool, this,
        [folder = m_folder, path = pathFor(conversation.id), bytes] {
            if (!QDir().mkpath(folder))
                return QStringLiteral("cannot create %1").arg(QDir::toNativeSeparators(folder));
            QSaveFile file(path);
            if (!file.open(QIODevice::WriteOnly) || file.write(bytes) != bytes.size() || !file.commit())
                return QStringLiteral("cannot save the conversation: %1").arg(file.errorString());
            return QString();
        },
        [this](const QString &error) {
            if (!error.isEmpty())
                Q_EMIT saveFailed(error);
        });
}

void ConversationStore::remove(const QString &id)
{
    if (!isSafeId(id))
        return;
    (void)QtConcurrent::run(&m_pool, [path = pathFor(id)] { QFile::remove(path); });
}

void ConversationStore::flush()
{
    m_pool.waitForDone();
}

} // namespace docsight
