#pragma once

// Makes the Secret Service of a throw-away D-Bus session usable. gnome-keyring-daemon started with
// `printf "" | gnome-keyring-daemon --unlock` on a fresh HOME has no "login" keyring (it will not create
// one from an empty stream), and one created earlier stays locked; asking the usual way would need a GUI
// prompt. gnome-keyring's own non-GUI interface creates or unlocks the default keyring with an (empty)
// master password instead. On a desktop whose keyring is already unlocked this does nothing.
#include <QByteArray>
#include <QDBusArgument>
#include <QDBusConnection>
#include <QDBusInterface>
#include <QDBusMetaType>
#include <QDBusObjectPath>
#include <QDBusReply>
#include <QDBusVariant>
#include <QString>
#include <QVariantMap>

namespace docsight::test {

// The Secret Service's (oayays) secret: session, parameters, value, content type.
struct DBusSecret {
    QDBusObjectPath session;
    QByteArray parameters;
    QByteArray value;
    QString contentType;
};

inline QDBusArgument &operator<<(QDBusArgument &arg, const DBusSecret &s)
{
    arg.beginStructure();
    arg << s.session << s.parameters << s.value << s.contentType;
    arg.endStructure();
    return arg;
}

inline const QDBusArgument &operator>>(const QDBusArgument &arg, DBusSecret &s)
{
    arg.beginStructure();
    arg >> s.session >> s.parameters >> s.value >> s.contentType;
    arg.endStructure();
    return arg;
}

} // namespace docsight::test

Q_DECLARE_METATYPE(docsight::test::DBusSecret)

namespace docsight::test {

// True when the default collection exists and is unlocked afterwards; *why says what failed otherwise.
inline bool ensureUnlockedDefaultKeyring(QString *why)
{
    qDBusRegisterMetaType<DBusSecret>();
    const QString serviceName = QStringLiteral("org.freedesktop.secrets");
    const QString root = QStringLiteral("/org/freedesktop/secrets");
    QDBusConnection bus = QDBusConnection::sessionBus();
    if (!bus.isConnected()) {
        *why = QStringLiteral("no session D-Bus");
        return false;
    }
    QDBusInterface service(serviceName, root, QStringLiteral("org.freedesktop.Secret.Service"), bus);
    const QDBusReply<QDBusObjectPath> alias = service.call(QStringLiteral("ReadAlias"), QStringLiteral("default"));
    if (!alias.isValid()) {
        *why = QStringLiteral("no Secret Service on the session bus: ") + alias.error().message();
        return false;
    }
    QString collection = alias.value().path();
    if (collection != QLatin1String("/")) {
        QDBusInterface c(serviceName, collection, QStringLiteral("org.freedesktop.Secret.Collection"), bus);
        if (!c.property("Locked").toBool())
            return true;
    }

    // A plain (unencrypted) transfer session: this is all on a private bus.
    const QDBusMessage opened = service.call(QStringLiteral("OpenSession"), QStringLiteral("plain"),
                                             QVariant::fromValue(QDBusVariant(QString())));
    if (opened.type() != QDBusMessage::ReplyMessage || opened.arguments().size() != 2) {
        *why = QStringLiteral("OpenSession failed: ") + opened.errorMessage();
        return false;
    }
    const DBusSecret emptyPassword{opened.arguments().at(1).value<QDBusObjectPath>(), {}, {}, QStringLiteral("text/plain")};
    QDBusInterface internal(serviceName, root, QStringLiteral("org.gnome.keyring.InternalUnsupportedGuiltRiddenInterface"), bus);
    if (collection == QLatin1String("/")) {
        const QVariantMap properties{{QStringLiteral("org.freedesktop.Secret.Collection.Label"), QStringLiteral("login")}};
        const QDBusReply<QDBusObjectPath> created =
            internal.call(QStringLiteral("CreateWithMasterPassword"), properties, QVariant::fromValue(emptyPassword));
        if (!created.isValid()) {
            *why = QStringLiteral("creating the login keyring failed: ") + created.error().message();
            return false;
        }
        collection = created.value().path();
        const QDBusMessage set = service.call(QStringLiteral("SetAlias"), QStringLiteral("default"),
                                              QVariant::fromValue(QDBusObjectPath(collection)));
        if (set.type() != QDBusMessage::ReplyMessage) {
            *why = QStringLiteral("making the login keyring the default failed: ") + set.errorMessage();
            return false;
        }
        return true;
    }
    const QDBusMessage unlocked = internal.call(QStringLiteral("UnlockWithMasterPassword"),
                                                QVariant::fromValue(QDBusObjectPath(collection)),
                                                QVariant::fromValue(emptyPassword));
    if (unlocked.type() != QDBusMessage::ReplyMessage) {
        *why = QStringLiteral("the default keyring is locked and an empty password does not open it: ") + unlocked.errorMessage();
        return false;
    }
    return true;
}

} // namespace docsight::test
