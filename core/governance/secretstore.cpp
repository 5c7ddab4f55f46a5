#include "governance/secretstore.h"

#include <memory>

#include <qt6keychain/keychain.h>

#include <QCoreApplication>
#include <QEventLoop>
#include <QLoggingCategory>
#include <QMutex>
#include <QPointer>
#include <QThread>
#include <QTimer>

namespace docsight {

Q_LOGGING_CATEGORY(lcSecrets, "docsight.governance.secrets")

namespace {

const char *operationName(int operation)
{
    switch (operation) {
    case 0: return "read";
    case 1: return "write";
    default: return "delete";
    }
}

SecretOutcome translate(QKeychain::Job *job, bool isRead, const QString &provider, const QString &secret)
{
    SecretOutcome outcome;
    const QString keyLabel = QStringLiteral("the %1 API key").arg(provider);
    switch (job->error()) {
    case QKeychain::NoError:
        outcome.status = SecretStatus::Ok;
        if (isRead)
            outcome.secret = static_cast<QKeychain::ReadPasswordJob *>(job)->textData();
        return outcome;
    case QKeychain::EntryNotFound:
        outcome.status = SecretStatus::NotFound;
        outcome.message = QStringLiteral("No %1 is stored in the system keychain.").arg(keyLabel);
        return outcome;
    case QKeychain::AccessDeniedByUser:
    case QKeychain::AccessDenied:
        outcome.status = SecretStatus::Denied;
        outcome.message = QStringLiteral("Access to the system keychain was denied, so %1 could not be used.").arg(keyLabel);
        return outcome;
    case QKeychain::NoBackendAvailable:
    case QKeychain::NotImplemented:
        outcome.status = SecretStatus::Unavailable;
        outcome.message = QStringLiteral("No system keychain is available (on Linux: a Secret Service such as GNOME "
                                         "Keyring or KWallet on the session D-Bus).");
        return outcome;
    case QKeychain::CouldNotDeleteEntry:
    case QKeychain::OtherError:
        break;
    }
    outcome.status = SecretStatus::Failed;
    QString detail = job->errorString().simplified().left(300);
    if (!secret.isEmpty())
        detail.replace(secret, QStringLiteral("[redacted]"));
    // libsecret reports a missing session bus as a generic error; it means there is no keychain to ask.
    if (detail.contains(QLatin1String("D-Bus"), Qt::CaseInsensitive) || detail.contains(QLatin1String("DBus"), Qt::CaseInsensitive)) {
        outcome.status = SecretStatus::Unavailable;
        outcome.message = QStringLiteral("No system keychain is reachable (%1).").arg(detail);
        return outcome;
    }
    outcome.message = QStringLiteral("The system keychain could not handle %1%2.")
                          .arg(keyLabel, detail.isEmpty() ? QString() : QStringLiteral(": ") + detail);
    return outcome;
}

} // namespace

QString SecretStore::defaultService()
{
    const QString env = qEnvironmentVariable("DOCSIGHT_KEYCHAIN_SERVICE").trimmed();
    return env.isEmpty() ? QStringLiteral("Docsight") : env;
}

QStringList SecretStore::providers()
{
    return {QStringLiteral("openai"), QStringLiteral("anthropic"), QStringLiteral("openai-compatible")};
}

bool SecretStore::isKnownProvider(const QString &provider)
{
    return providers().contains(provider);
}

QString SecretStore::entryName(const QString &provider)
{
    return provider + QStringLiteral("-api-key");
}

QString SecretStore::environmentVariable(const QString &provider)
{
    if (provider == QLatin1String("openai"))
        return QStringLiteral("OPENAI_API_KEY");
    if (provider == QLatin1String("anthropic"))
        return QStringLiteral("ANTHROPIC_API_KEY");
    return {};
}

SecretStore::SecretStore(QString service)
    : m_service(std::move(service))
{
}

void SecretStore::start(Operation operation, const QString &provider, const QString &secret, QObject *context,
                        Callback done) const
{
    QCoreApplication *app = QCoreApplication::instance();
    QPointer<QObject> receiver(context);
    const bool hasReceiver = context != nullptr;
    // Hands the outcome to the receiver's thread; without a receiver, done runs on the main thread.
    auto deliver = [receiver, hasReceiver, done](const SecretOutcome &outcome) {
        if (!hasReceiver) {
            done(outcome);
            return;
        }
        if (!receiver)
            return;
        if (receiver->thread() == QThread::currentThread())
            done(outcome);
        else
            QMetaObject::invokeMethod(receiver.data(), [done, outcome] { done(outcome); }, Qt::QueuedConnection);
    };
    if (!app) {
        deliver({SecretStatus::Unavailable, {}, QStringLiteral("The system keychain needs a running application."), false});
        return;
    }
    const QString service = m_service;
    auto launch = [=] {
        QKeychain::Job *job = nullptr;
        switch (operation) {
        case Operation::Read:
            job = new QKeychain::ReadPasswordJob(service);
            break;
        case Operation::Write: {
            auto *write = new QKeychain::WritePasswordJob(service);
            write->setTextData(secret);
            job = write;
            break;
        }
        case Operation::Remove:
            job = new QKeychain::DeletePasswordJob(service);
            break;
        }
        job->setAutoDelete(true);
        job->setInsecureFallback(false); // never a plain-text file
        job->setKey(entryName(provider));
        QObject::connect(job, &QKeychain::Job::finished, job, [=](QKeychain::Job *finished) {
            const SecretOutcome outcome = translate(finished, operation == Operation::Read, provider, secret);
            qCDebug(lcSecrets).noquote() << operationName(int(operation)) << entryName(provider) << "in" << service
                                         << "->" << int(outcome.status);
            deliver(outcome);
        });
        job->start();
    };
    if (app->thread() == QThread::currentThread())
        launch();
    else
        QMetaObject::invokeMethod(app, launch, Qt::QueuedConnection);
}

void SecretStore::read(const QString &provider, QObject *context, Callback done) const
{
    start(Operation::Read, provider, {}, context, std::move(done));
}

void SecretStore::write(const QString &provider, const QString &secret, QObject *context, Callback done) const
{
    start(Operation::Write, provider, secret, context, std::move(done));
}

void SecretStore::remove(const QString &provider, QObject *context, Callback done) const
{
    start(Operation::Remove, provider, {}, context, std::move(done));
}

SecretOutcome SecretStore::runBlocking(Operation operation, const QString &provider, const QString &secret,
                                       std::chrono::milliseconds timeout) const
{
    if (!QCoreApplication::instance())
        return {SecretStatus::Unavailable, {}, QStringLiteral("The system keychain needs a running application."), false};

    // The answer may arrive on the main thread after this call gave up: it then finds `loop` gone.
    struct State {
        QMutex mutex;
        bool finished = false;
        SecretOutcome outcome;
        QEventLoop *loop = nullptr;
    };
    auto state = std::make_shared<State>();
    QEventLoop loop;
    {
        QMutexLocker lock(&state->mutex);
        state->loop = &loop;
    }
    // No receiver: the callback runs on the main thread and only touches the locked state.
    start(operation, provider, secret, nullptr, [state](const SecretOutcome &outcome) {
        QMutexLocker lock(&state->mutex);
        state->outcome = outcome;
        state->finished = true;
        if (state->loop)
            QMetaObject::invokeMethod(state->loop, &QEventLoop::quit, Qt::QueuedConnection);
    });
    QTimer::singleShot(timeout, &loop, &QEventLoop::quit);
    bool finished = false;
    {
        QMutexLocker lock(&state->mutex);
        finished = state->finished;
    }
    if (!finished)
        loop.exec(QEventLoop::ExcludeUserInputEvents);

    QMutexLocker lock(&state->mutex);
    state->loop = nullptr;
    if (!state->finished) {
        qCWarning(lcSecrets).noquote() << operationName(int(operation)) << entryName(provider) << "timed out after"
                                       << timeout.count() << "ms";
        return {SecretStatus::TimedOut, {},
                QStringLiteral("The system keychain did not answer within %1 s. It may be locked and waiting for its "
                               "password.").arg(timeout.count() / 1000),
                false};
    }
    return state->outcome;
}

SecretOutcome SecretStore::readBlocking(const QString &provider, std::chrono::milliseconds timeout) const
{
    return runBlocking(Operation::Read, provider, {}, timeout);
}

SecretOutcome SecretStore::writeBlocking(const QString &provider, const QString &secret,
                                         std::chrono::milliseconds timeout) const
{
    return runBlocking(Operation::Write, provider, secret, timeout);
}

SecretOutcome SecretStore::removeBlocking(const QString &provider, std::chrono::milliseconds timeout) const
{
    return runBlocking(Operation::Remove, provider, {}, timeout);
}

SecretOutcome SecretStore::apiKey(const QString &provider, std::chrono::milliseconds timeout) const
{
    const QString variable = environmentVariable(provider);
    if (!variable.isEmpty()) {
        const QString value = qEnvironmentVariable(variable.toLatin1().constData()).trimmed();
        if (!value.isEmpty())
            return {SecretStatus::Ok, value, {}, true};
    }
    return readBlocking(provider, timeout);
}

} // namespace docsight
