#include "library/reimportprompt.h"

#include "library/librarymodel.h"

#include <QCheckBox>
#include <QMessageBox>
#include <QPushButton>

namespace docsight {

bool canReimport(const LibraryModel &model, qint64 documentId)
{
    const std::optional<DocumentRecord> doc = model.recordById(documentId);
    return doc && !model.isImporting(documentId)
           && (doc->status == DocumentStatus::Ready || doc->status == DocumentStatus::Failed);
}

std::optional<ReimportChoice> confirmReimport(QWidget *parent, const LibraryModel &model, const QList<qint64> &documentIds)
{
    ReimportChoice choice;
    int ready = 0;
    QString name;
    for (const qint64 id : documentIds) {
        if (!canReimport(model, id))
            continue;
        const DocumentRecord doc = *model.recordById(id);
        choice.documentIds.append(id);
        ready += doc.status == DocumentStatus::Ready ? 1 : 0;
        name = doc.name;
    }
    if (choice.documentIds.isEmpty())
        return std::nullopt;
    if (ready == 0)
        return choice; // failed documents have nothing to lose

    QMessageBox box(QMessageBox::Question, QObject::tr("Re-run OCR"),
                    choice.documentIds.size() == 1
                        ? QObject::tr("Read %1 again with the current OCR languages?").arg(name)
                        : QObject::tr("Read %n documents again with the current OCR languages?", nullptr,
                                      static_cast<int>(choice.documentIds.size())),
                    QMessageBox::Cancel, parent);
    box.setObjectName(QStringLiteral("confirmReimport"));
    box.setInformativeText(QObject::tr("Their pages and passages are read afresh from the library's copies; until that "
                                       "finishes they are left out of search. Name, classification and conversations stay."));
    QPushButton *go = box.addButton(QObject::tr("Re-run OCR"), QMessageBox::AcceptRole);
    box.setDefaultButton(go);
    auto *every = new QCheckBox(QObject::tr("OCR every page, also pages with a text layer (for PDFs whose text is garbled)"));
    every->setObjectName(QStringLiteral("forceOcr"));
    box.setCheckBox(every);
    box.exec();
    if (box.clickedButton() != go)
        return std::nullopt;
    choice.forceOcr = every->isChecked();
    return choice;
}

} // namespace docsight
