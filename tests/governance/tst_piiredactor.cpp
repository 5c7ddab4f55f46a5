// PII detection (validated detectors, no false alarms on dates, years, page numbers), reversible redaction
// and the classification suggestion made at import.
#include "governance/classificationsuggestion.h"
#include "governance/piidetector.h"
#include "governance/piiredactor.h"
#include "model/pagecontent.h"

#include <QTest>

using namespace docsight;

Q_DECLARE_METATYPE(docsight::PiiKind)

class TestPiiRedactor final : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void findsPersonalData_data()
    {
        QTest::addColumn<QString>("text");
        QTest::addColumn<PiiKind>("kind");
        QTest::addColumn<QString>("found");

        QTest::newRow("email") << "Write to jane.doe+billing@example.co.uk today." << PiiKind::Email
                               << "jane.doe+billing@example.co.uk";
        QTest::newRow("phone-us-parens") << "Call (510) 555-0142 after 5pm." << PiiKind::Phone << "(510) 555-0142";
        QTest::newRow("phone-us-dashes") << "Phone 503-555-0187 · Fax" << PiiKind::Phone << "503-555-0187";
        QTest::newRow("phone-us-country") << "Hotline: 1-800-555-0199." << PiiKind::Phone << "1-800-555-0199";
        QTest::newRow("phone-intl-de") << "Tel. +49 40 3186 5520 ·" << PiiKind::Phone << "+49 40 3186 5520";
        QTest::newRow("phone-intl-uk") << "mobile +44 7700 900123." << PiiKind::Phone << "+44 7700 900123";
        QTest::newRow("phone-intl-fr") << "au +33 1 42 68 53 00 ou" << PiiKind::Phone << "+33 1 42 68 53 00";
        QTest::newRow("phone-national-labelled") << "Questions? Call Priya on 020 7946 0321." << PiiKind::Phone
                                                 << "020 7946 0321";
        QTest::newRow("iban-de-grouped") << "to IBAN DE89 3704 0044 0532 0130 00, BIC COBADEFFXXX" << PiiKind::Iban
                                         << "DE89 3704 0044 0532 0130 00";
        QTest::newRow("iban-gb-compact") << "IBAN: GB29NWBK60161331926819." << PiiKind::Iban << "GB29NWBK60161331926819";
        QTest::newRow("iban-ch-then-word") << "IBAN CH93 0076 2011 6238 5295 7 BIC" << PiiKind::Iban
                                           << "CH93 0076 2011 6238 5295 7";
        QTest::newRow("card-visa-spaces") << "card 4111 1111 1111 1111 exp 09/27" << PiiKind::PaymentCard
                                          << "4111 1111 1111 1111";
        QTest::newRow("card-mastercard-dashes") << "paid with 5555-5555-5555-4444." << PiiKind::PaymentCard
                                                << "5555-5555-5555-4444";
        QTest::newRow("card-amex") << "Amex 3782 822463 10005 on file" << PiiKind::PaymentCard << "3782 822463 10005";
        QTest::newRow("card-compact") << "PAN 6011111111111117." << PiiKind::PaymentCard << "6011111111111117";
        QTest::newRow("ssn-dashed") << "SSN 123-45-6789 on record" << PiiKind::Ssn << "123-45-6789";
        QTest::newRow("ssn-labelled-plain") << "Social Security No.: 219099999" << PiiKind::Ssn << "219099999";
        QTest::newRow("ipv4") << "login from 192.168.10.24 at night" << PiiKind::IpAddress << "192.168.10.24";
        QTest::newRow("ipv4-public") << "server 8.8.8.8 answered" << PiiKind::IpAddress << "8.8.8.8";
        QTest::newRow("ipv6-full") << "addr 2001:0db8:85a3:0000:0000:8a2e:0370:7334 seen" << PiiKind::IpAddress
                                   << "2001:0db8:85a3:0000:0000:8a2e:0370:7334";
        QTest::newRow("ipv6-compressed") << "via fe80::1ff:fe23:4567:890a on eth0" << PiiKind::IpAddress
                                         << "fe80::1ff:fe23:4567:890a";
        QTest::newRow("ipv6-loopback") << "bound to ::1 only" << PiiKind::IpAddress << "::1";
    }

    void findsPersonalData()
    {
        QFETCH(QString, text);
        QFETCH(PiiKind, kind);
        QFETCH(QString, found);
        const QList<PiiMatch> matches = pii::detect(text);
        QStringList seen;
        for (const PiiMatch &m : matches)
            seen << piiKindName(m.kind) + QLatin1Char(':') + m.text;
        QVERIFY2(matches.size() == 1, qPrintable(seen.join(QStringLiteral(" | "))));
        QCOMPARE(matches.constFirst().kind, kind);
        QCOMPARE(matches.constFirst().text, found);
        QCOMPARE(text.mid(matches.constFirst().start, matches.constFirst().length), found);
    }

    void leavesOrdinaryNumbersAlone_data()
    {
        QTest::addColumn<QString>("text");
        QTest::newRow("iso-date") << "Issued: 2024-01-09, due 2024-02-08.";
        QTest::newRow("us-date") << "Date 05/28/2024 and 12/31/1999.";
        QTest::newRow("eu-date") << "Hamburg, 07.11.2023";
        QTest::newRow("years") << "Between 1998 and 2024 the figures grew; see 2019-2023.";
        QTest::newRow("pages") << "See pages 112-118 and page 1045; also pp. 3-5.";
        QTest::newRow("amounts") << "Total Due: $4,313.25; EUR 12.481,32; CHF 7'560.00; 14,700.00";
        QTest::newRow("bad-luhn") << "Order 4111 1111 1111 1112 shipped.";
        QTest::newRow("bad-iban") << "ref DE89 3704 0044 0532 0130 01 only";
        QTest::newRow("invalid-ssn-area") << "codes 000-12-3456, 666-12-3456 and 912-34-5678";
        QTest::newRow("plain-nine-digits") << "ABA 321081669, Account 80004417852.";
        QTest::newRow("version") << "Qt 6.4.2 and R 4.3.1, section 2.3.1.4.";
        QTest::newRow("time") << "Date: Tue, 9 Jan 2024 10:42:17 +0000";
        QTest::newRow("cpp-scope") << "Call std::vector::push_back or Class::add.";
        QTest::newRow("isbn") << "ISBN 978-3-16-148410-0";
        QTest::newRow("phone-without-shape") << "Part number 5551234567 in stock.";
        QTest::newRow("sort-code") << "sort code 23-05-80, account 18822541";
        QTest::newRow("vat-number") << "USt-IdNr. DE 814 392 551";
    }

    void leavesOrdinaryNumbersAlone()
    {
        QFETCH(QString, text);
        const QList<PiiMatch> matches = pii::detect(text);
        QStringList seen;
        for (const PiiMatch &m : matches)
            seen << piiKindName(m.kind) + QLatin1Char(':') + m.text;
        QVERIFY2(matches.isEmpty(), qPrintable(seen.join(QStringLiteral(" | "))));
    }

    void validatorsFollowTheirStandards()
    {
        QVERIFY(pii::luhnValid(u"4539 1488 0343 6467"));
        QVERIFY(!pii::luhnValid(u"4539 1488 0343 6468"));
        QVERIFY(pii::ibanValid(u"FR14 2004 1010 0505 0001 3M02 606"));
        QVERIFY(pii::ibanValid(u"NL91ABNA0417164300"));
        QVERIFY(!pii::ibanValid(u"NL91ABNA0417164301"));
        QVERIFY(pii::ssnValid(u"078-05-1120"));
        QVERIFY(!pii::ssnValid(u"078-00-1120"));
        QVERIFY(!pii::ssnValid(u"078-05-0000"));
    }

    void placeholdersAreConsistentWithinARequest()
    {
        PiiRedactor r;
        const QString a = r.redact(QStringLiteral("Contact jane@acme.example or (510) 555-0142."));
        const QString b = r.redact(QStringLiteral("Again: JANE@acme.example; then bob@acme.example; 510-555-0142."));
        QCOMPARE(a, QStringLiteral("Contact [EMAIL_1] or [PHONE_1]."));
        // Same address in other case, same number in other spacing: same placeholder.
        QCOMPARE(b, QStringLiteral("Again: [EMAIL_1]; then [EMAIL_2]; [PHONE_1]."));
        QCOMPARE(r.redactions().size(), 3);
        QCOMPARE(r.countsByKind().value(QStringLiteral("EMAIL")), 2);
        QCOMPARE(r.occurrences(), 5);
    }

    void restorePutsOriginalsBackLocally()
    {
        PiiRedactor r;
        const QString sent = r.redact(QStringLiteral("Pay IBAN GB29 NWBK 6016 1331 9268 19 and mail ap@vendor.example."));
        QVERIFY(!sent.contains(QLatin1String("NWBK")));
        const QString answer = QStringLiteral("Transfer to [IBAN_1] and confirm with EMAIL_1; ignore [EMAIL_9] and [CARD_1].");
        QCOMPARE(r.restore(answer), QStringLiteral("Transfer to GB29 NWBK 6016 1331 9268 19 and confirm with "
                                                   "ap@vendor.example; ignore [EMAIL_9] and [CARD_1]."));
    }

    // A document that itself shows placeholders (a redaction policy, an earlier redacted export) must not have
    // its own "[EMAIL_1]" turned into a real address when the answer is restored.
    void placeholderLikeTextInTheInputIsNeverIssuedOrRestored()
    {
        PiiRedactor r;
        const QString first = r.redact(QStringLiteral("Redacted copies show [EMAIL_1] and phone_2 instead of contacts."));
        QCOMPARE(first, QStringLiteral("Redacted copies show [EMAIL_1] and phone_2 instead of contacts."));
        const QString second = r.redact(QStringLiteral("Write to ap@vendor.example or call (510) 555-0142, then 510-555-0199."));
        QCOMPARE(second, QStringLiteral("Write to [EMAIL_2] or call [PHONE_1], then [PHONE_3]."));
        QCOMPARE(r.restore(QStringLiteral("Policy uses [EMAIL_1]; the vendor is [EMAIL_2], phone [PHONE_1].")),
                 QStringLiteral("Policy uses [EMAIL_1]; the vendor is ap@vendor.example, phone (510) 555-0142."));
    }

    void redactingTextWithoutPiiChangesNothing()
    {
        PiiRedactor r;
        const QString text = QStringLiteral("The lm() function fits linear models (see page 52, 2024-01-09).");
        QCOMPARE(r.redact(text), text);
        QVERIFY(r.isEmpty());
        QCOMPARE(r.restore(QStringLiteral("[EMAIL_1]")), QStringLiteral("[EMAIL_1]"));
    }

    void onlyConfiguredKindsAreRedacted()
    {
        PiiRedactor r(PiiKinds(PiiKind::Email));
        QCOMPARE(r.redact(QStringLiteral("a@b.example, 4111 1111 1111 1111")), QStringLiteral("[EMAIL_1], 4111 1111 1111 1111"));
    }

    void suggestsRestrictedForIdentifiersAndConfidentialForAFewContacts()
    {
        PageContent p1;
        p1.number = 1;
        p1.text = QStringLiteral("Employee: Dana Ruiz, SSN 219-09-9999, card 4111 1111 1111 1111.");
        PageContent p2;
        p2.number = 2;
        p2.text = QStringLiteral("Nothing personal here, only 2024-03-14 and page 7.");
        const ClassificationSuggestion strong = suggestClassification({p1, p2});
        QCOMPARE(strong.level, std::optional<Classification>(Classification::Restricted));
        QCOMPARE(strong.pages, QList<int>{1});
        QCOMPARE(strong.counts.value(QStringLiteral("SSN")), 1);
        QVERIFY(strong.reason.contains(QLatin1String("Restricted")));

        PageContent p3;
        p3.number = 1;
        p3.text = QStringLiteral("Support: help@vendor.example");
        QCOMPARE(suggestClassification({p3}).level, std::optional<Classification>(Classification::Confidential));
        QVERIFY(!suggestClassification({p2}).level.has_value());
    }
};

QTEST_GUILESS_MAIN(TestPiiRedactor)
#include "tst_piiredactor.moc"
