#pragma once

// WordprocessingML vocabulary shared by the DOCX reader's files: which namespace an element is in,
// attributes by local name, OOXML on/off values, and the reader's one logging category.

#include <QLoggingCategory>
#include <QString>
#include <QStringView>

class QXmlStreamReader;

namespace docsight::docx {

// "docsight.ingest.docx", defined by the adapter (docxloader.cpp) and shared by every DOCX file,
// so one logging rule still silences or enables the whole reader.
Q_DECLARE_LOGGING_CATEGORY(lcDocx)

bool isWordNs(QStringView ns);
bool isMarkupCompatibilityNs(QStringView ns);
bool isMathNs(QStringView ns);

// The current element is w:<name>, Transitional or Strict.
bool isW(const QXmlStreamReader &xml, QStringView name);

// Attribute by local name. Transitional and Strict documents use different namespace URIs for the
// same attribute, and relationship files use none, so the namespace is not compared.
QString attribute(const QXmlStreamReader &xml, QStringView localName);

// OOXML on/off values: a bare element means on.
bool isOn(const QString &value);

} // namespace docsight::docx
