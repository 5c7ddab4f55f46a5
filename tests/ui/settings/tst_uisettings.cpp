// The settings dialog's API keys, against the real keychain (Secret Service: scripts/test.sh runs
// gnome-keyring on a private D-Bus) under a throw-away service name: a key typed into the
// masked field is stored by OK, never shown again, and can be removed. Also the recent libraries
// AppSettings keeps.
#include "../uitestsupport.h"
#include "settings/providerservice.h"
#include "settings/settingsdialog.h"

#include "governance/secretstore.h"
#include "llm/providerfactory.h"

#include "keyringfixture.h"

#include <QApplication>
#include <QDialogButtonBox>
#include <QLabel>
#include <QLineEdit>
#include <QListWidget>
#include <QPushButton>
#include <QSettings>
#include <QTest>

using namespace docsight;

class TestUiSettings final : public QObject
{
    Q_OBJECT

private:
    // A dialog showing the given provider, once its key status has come back from the keychain.
    std::unique_ptr<SettingsDialog> openOn(ProviderKind kind)
    {
        auto dialog = std::make_unique<SettingsDialog>(AppSettings(), m_providers.get());
        dialog->show();
        auto *list = dialog->findChild<QListWidget *>(QStringLiteral("providerList"));
        for (int row = 0; row < list->count(); ++row) {
            if (list->item(row)->data(Qt::UserRole).toInt() == static_cast<int>(kind))
                list->setCurrentRow(row);
        }
        QLabel *status = dialog->findChild<QLabel *>(QStringLiteral("apiKeyStatus"));
        const bool answered = QTest::qWaitFor(
            [status] { return !status->text().isEmpty() && !status->text().startsWith(QLatin1String("Checking")); }, 30000);
        return answered ? std::move(dialog) : nullptr;
    }

    static QLineEdit *keyField(QWidget *dialog) { return dialog->findChild<QLineEdit *>(QStringLiteral("apiKey")); }
    static QString keyStatus(QWidget *dialog)
    {
        return dialog->findChild<QLabel *>(QStringLiteral("apiKeyStatus"))->text();
    }

    SecretOutcome stored(ProviderKind kind) const { return m_secrets->readBlocking(providerKindName(kind)); }

    // Whether any text the dialog shows contains s.
    static bool shows(QWidget *dialog, const QString &s)
    {
        for (const QLineEdit *e : dialog->findChildren<QLineEdit *>()) {
            if (e->text().contains(s) || e->placeholderText().contains(s))
                return true;
        }
        for (const QLabel *l : dialog->findChildren<QLabel *>()) {
            if (l->text().contains(s))
                return true;
        }
        return false;
    }

private Q_SLOTS:
    void initTestCase()
    {
        QVERIFY(m_dir.isValid());
        test::isolateSettings(m_dir);
        if (qEnvironmentVariableIsEmpty("DBUS_SESSION_BUS_ADDRESS"))
            QSKIP("needs a D-Bus session with a Secret Service: run the suite through scripts/test.sh");
        QString why;
        QVERIFY2(test::ensureUnlockedDefaultKeyring(&why), qPrintable(why));
        const QByteArray service = "DocsightSettingsTest-" + QByteArray::number(QCoreApplication::applicationPid());
        qputenv("DOCSIGHT_KEYCHAIN_SERVICE", service);
        qunsetenv("OPENAI_API_KEY");
        qunsetenv("ANTHROPIC_API_KEY");
        m_secrets = std::make_unique<SecretStore>();
        QCOMPARE(m_secrets->service(), QString::fromLatin1(service));
        m_providers = std::make_unique<ProviderService>();
        QCOMPARE(stored(ProviderKind::OpenAi).status, SecretStatus::NotFound);
    }

    void cleanupTestCase()
    {
        if (!m_secrets)
            return;
        for (const QString &provider : SecretStore::providers())
            m_secrets->removeBlocking(provider);
    }

    void keyTypedIntoTheMaskedFieldIsStoredByOk()
    {
        auto dialog = openOn(ProviderKind::OpenAi);
        QVERIFY(dialog);
        QCOMPARE(keyStatus(dialog.get()), QStringLiteral("No key stored."));
        QLineEdit *key = keyField(dialog.get());
        QVERIFY(key->isVisible());
        QCOMPARE(key->echoMode(), QLineEdit::Password);
        QTest::keyClicks(key, m_key);
        QVERIFY(!key->displayText().contains(QLatin1String("example")));
        QTest::mouseClick(dialog->findChild<QDialogButtonBox *>()->button(QDialogButtonBox::Ok), Qt::LeftButton);
        QCOMPARE(dialog->result(), int(QDialog::Accepted));
        QVERIFY(key->text().isEmpty()); // out of the dialog at once
        QTRY_VERIFY_WITH_TIMEOUT(stored(ProviderKind::OpenAi).ok(), 30000);
        QCOMPARE(stored(ProviderKind::OpenAi).secret, m_key);
    }

    void reopenedDialogSaysStoredButNeverShowsTheKey()
    {
        auto dialog = openOn(ProviderKind::OpenAi);
        QVERIFY(dialog);
        QVERIFY(keyStatus(dialog.get()).contains(QLatin1String("A key is stored")));
        QLineEdit *key = keyField(dialog.get());
        QVERIFY(key->text().isEmpty());
        QVERIFY2(key->placeholderText().contains(QLatin1String("Stored")), qPrintable(key->placeholderText()));
        QVERIFY(!shows(dialog.get(), m_key));
        QVERIFY(!shows(dialog.get(), m_key.left(8)));
        const QImage shot = test::saveScreenshot(dialog.get(), QStringLiteral("16-settings-key-stored"));
        QVERIFY(test::distinctColours(shot) >= 16);
        dialog->reject();
    }

    void cancelKeepsAKeyTypedButNotSaved()
    {
        auto dialog = openOn(ProviderKind::Anthropic);
        QVERIFY(dialog);
        QTest::keyClicks(keyField(dialog.get()), QStringLiteral("sk-ant-not-to-be-kept"));
        dialog->reject();
        QTest::qWait(300);
        QCOMPARE(stored(ProviderKind::Anthropic).status, SecretStatus::NotFound);
    }

    void switchingProvidersSavesTheKeyTypedForThePreviousOne()
    {
        auto dialog = openOn(ProviderKind::Anthropic);
        QVERIFY(dialog);
        QTest::keyClicks(keyField(dialog.get()), QStringLiteral("sk-ant-typed-then-switched"));
        auto *list = dialog->findChild<QListWidget *>(QStringLiteral("providerList"));
        list->setCurrentRow(0); // the extractive answerer
        QTRY_VERIFY_WITH_TIMEOUT(stored(ProviderKind::Anthropic).ok(), 30000);
        QCOMPARE(stored(ProviderKind::Anthropic).secret, QStringLiteral("sk-ant-typed-then-switched"));
        dialog->reject();
    }

    void removingTheKeyDeletesItFromTheKeychain()
    {
        auto dialog = openOn(ProviderKind::OpenAi);
        QVERIFY(dialog);
        auto *remove = dialog->findChild<QPushButton *>(QStringLiteral("removeApiKey"));
        QTRY_VERIFY(remove->isEnabled());
        QTest::mouseClick(remove, Qt::LeftButton);
        QTRY_COMPARE_WITH_TIMEOUT(keyStatus(dialog.get()), QStringLiteral("No key stored."), 30000);
        QVERIFY(!remove->isEnabled());
        QVERIFY(!keyField(dialog.get())->placeholderText().contains(QLatin1String("Stored")));
        QCOMPARE(stored(ProviderKind::OpenAi).status, SecretStatus::NotFound);
        dialog->reject();
    }

    void recentLibrariesKeepTheListAlreadyStoredNewestFirst()
    {
        // Where earlier versions kept it: an analyst's list carries over.
        QSettings().setValue(QStringLiteral("library/recent"), QStringList{QStringLiteral("/a"), QStringLiteral("/b")});
        QCOMPARE(AppSettings::recentLibraries(), (QStringList{QStringLiteral("/a"), QStringLiteral("/b")}));
        AppSettings::rememberLibrary(QStringLiteral("/b"));
        QCOMPARE(AppSettings::recentLibraries(), (QStringList{QStringLiteral("/b"), QStringLiteral("/a")}));
        QCOMPARE(QSettings().value(QStringLiteral("library/last")).toString(), QStringLiteral("/b"));
        for (int i = 0; i < 10; ++i)
            AppSettings::rememberLibrary(QStringLiteral("/l%1").arg(i));
        const QStringList recent = AppSettings::recentLibraries();
        QCOMPARE(recent.size(), 8);
        QCOMPARE(recent.first(), QStringLiteral("/l9"));
        QSettings().remove(QStringLiteral("library"));
    }

private:
    QTemporaryDir m_dir;
    std::unique_ptr<SecretStore> m_secrets;
    std::unique_ptr<ProviderService> m_providers;
    const QString m_key = QStringLiteral("sk-example-4f1d2c9a7b3e");
};

QTEST_MAIN(TestUiSettings)
#include "tst_uisettings.moc"
