#pragma once

// What the body of a .docx needs from its other parts (styles, numbering, notes) and what it
// leaves for them (header and footer references), plus Flow: where parsed blocks go.

#include <QHash>
#include <QList>
#include <QString>
#include <QStringList>

#include "ingest/docxnumbering.h"

namespace docsight::docx {

struct Style {
    QString basedOn;
    QString numId;
    int level = -1;
};

struct Notes {
    QHash<QString, QString> text; // w:id -> note text
    QStringList pending; // "[n] text" blocks waiting for the end of the page
    int counter = 0;
};

struct Context {
    QHash<QString, Style> styles;
    Numbering numbering;
    Notes footnotes;
    Notes endnotes;
    QStringList headerIds; // relationship ids, in order of first reference
    QStringList footerIds;
    bool sawImage = false;
};

// Where parsed blocks go. The body keeps page breaks; table cells, text boxes, notes and
// headers flatten them.
struct Flow {
    bool keepsPageBreaks = false;
    QList<QStringList> pages{QStringList()};

    void add(const QString &block)
    {
        const QString text = block.trimmed();
        if (!text.isEmpty())
            pages.last().append(text);
    }
    void pageBreak()
    {
        if (keepsPageBreaks && !pages.last().isEmpty())
            pages.append(QStringList());
    }
    QStringList blocks() const
    {
        QStringList all;
        for (const QStringList &page : pages)
            all += page;
        return all;
    }
};

} // namespace docsight::docx
