#pragma once

// List numbering of a .docx (word/numbering.xml): the labels Word draws before list paragraphs.

#include <optional>

#include <QHash>
#include <QList>
#include <QSet>
#include <QString>

class QXmlStreamReader;

namespace docsight::docx {

constexpr int kNumberingLevels = 9;

// 1 -> "i" / "I"; outside 1..3999 the decimal number.
QString roman(int n, bool upper);

// w:numPr, in a paragraph or a paragraph style: the list (numId) and its level (ilvl), if given.
void readNumberingProperties(QXmlStreamReader &xml, QString &numId, int &level);

class Numbering final
{
public:
    Numbering() = default;
    Q_DISABLE_COPY_MOVE(Numbering)

    // word/numbering.xml: list definitions (abstractNum) and the list instances using them (num).
    void read(QXmlStreamReader &xml);

    // The label Word would draw before the next paragraph of this list, e.g. "3. ", "• ", "2.1. ".
    QString nextLabel(const QString &numId, int level);

private:
    struct Level {
        QString format;
        QString text;
        int start = 1;
    };
    struct Instance {
        QString abstractId;
        QHash<int, int> startOverrides;
    };

    QHash<QString, QList<Level>> m_abstracts;
    QHash<QString, Instance> m_instances;
    QHash<QString, QList<std::optional<int>>> m_counters;
    QSet<QString> m_started;
};

} // namespace docsight::docx
