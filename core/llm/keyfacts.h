#pragma once

#include "llm/chatprovider.h"

#include <optional>

#include <QDate>
#include <QJsonObject>
#include <QList>
#include <QString>
#include <QStringList>
#include <QStringView>

namespace docsight {

// What to extract. Invoice: vendor, invoice number, date, total, currency. Contract: parties, effective date,
// term, governing law. Generic: people, organisations, dates, amounts.
enum class FactTemplate { Invoice, Contract, Generic };

QString factTemplateName(FactTemplate t);                       // "invoice", "contract", "generic"
std::optional<FactTemplate> parseFactTemplate(const QString &name);
QStringList factTemplateNames();

enum class FactType { Text, Date, Amount, Currency };

struct FactField {
    QString name;         // "invoice_number"
    FactType type = FactType::Text;
    bool list = false;    // several values (parties, people, ...)
    QString description;  // for the model's instructions
};

QList<FactField> templateFields(FactTemplate t);

// Where a fact was read: every fact cites its passage.
struct FactSource {
    qint64 documentId = 0;
    QString document;
    int page = 0;
    qint64 chunkId = 0;   // 0 when no chunk covers the quote
    QString quote;        // the words as they stand on the page (whitespace collapsed)
    int charStart = -1;   // span of the quote in the page text; -1 when it could not be located exactly
    int charEnd = -1;
};

struct KeyFact {
    QString field;
    QString value;        // normalised: ISO 8601 dates, plain decimal amounts, ISO 4217 currency codes
    QString raw;          // as written in the document
    FactSource source;
    QString method;       // "model" or "rules"
};

struct ExtractionResult {
    FactTemplate templ = FactTemplate::Generic;
    qint64 documentId = 0;
    QString document;
    QList<KeyFact> facts;     // list fields contribute one fact per value
    QString method;           // "model", "rules", or "model+rules" when rules filled the model's gaps
    QString provider;         // empty for rules only
    QString model;
    ChatUsage usage;
    qint64 latencyMs = 0;
    QStringList warnings;     // analyst-facing: fallbacks, withheld by policy, redactions, budget
    QString error;            // the document could not be read at all

    bool ok() const { return error.isEmpty(); }
    QStringList values(const QString &field) const;
    QJsonObject toJson() const;
};

// Normalisers shared by the rules and by the validation of model output.
namespace facts {

// Dates as written in invoices and contracts: "March 14, 2024", "14 March 2024", "3rd day of May, 2021",
// "Mar 14 2024", "2024-01-09", "2024/06/11", "07.11.2023", "22/02/2024", "05/28/2024". An all-numeric date with both parts <= 12 is read
// month-first when monthFirst, else day-first.
std::optional<QDate> parseDate(QStringView text, bool monthFirst = false);
// "4,313.25", "12.481,32", "7'560.00", "(5,000.00)", "$ 15,815", "EUR 960" -> "4313.25", "12481.32", ...
// (two decimals). nullopt when the text holds no amount.
std::optional<QString> parseAmount(QStringView text);
// "USD", "$", "€", "£", "CHF", "US dollars", "Fr." -> ISO 4217 code; nullopt when none.
std::optional<QString> currencyCode(QStringView text);
// Whitespace collapsed, for matching quotes against passages.
QString collapse(QStringView text);

} // namespace facts

} // namespace docsight
