// WordprocessingML namespace tests and attribute helpers for the DOCX reader.

#include "ingest/docxxml.h"

#include <QXmlStreamReader>

namespace docsight::docx {

bool isWordNs(QStringView ns)
{
    return ns == u"http://schemas.openxmlformats.org/wordprocessingml/2006/main"
        || ns == u"http://purl.oclc.org/ooxml/wordprocessingml/main"; // ISO 29500 Strict
}

bool isMarkupCompatibilityNs(QStringView ns)
{
    return ns == u"http://schemas.openxmlformats.org/markup-compatibility/2006";
}

bool isMathNs(QStringView ns)
{
    return ns == u"http://schemas.openxmlformats.org/officeDocument/2006/math"
        || ns == u"http://purl.oclc.org/ooxml/officeDocument/math";
}

bool isW(const QXmlStreamReader &xml, QStringView name) { return xml.name() == name && isWordNs(xml.namespaceUri()); }

QString attribute(const QXmlStreamReader &xml, QStringView localName)
{
    const QXmlStreamAttributes attributes = xml.attributes();
    for (const QXmlStreamAttribute &a : attributes) {
        if (a.name() == localName)
            return a.value().toString();
    }
    return {};
}

bool isOn(const QString &value) { return value.isEmpty() || !(value == u"0" || value == u"false" || value == u"off"); }

} // namespace docsight::docx
