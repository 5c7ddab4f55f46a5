#pragma once

#include "llm/keyfacts.h"
#include "settings/appsettings.h"
#include "viewer/documentviewer.h"

#include <QDialog>

class QComboBox;
class QLabel;
class QProgressBar;
class QPushButton;
class QRadioButton;
class QTableWidget;

namespace docsight {

class KeyFactsController;

// Document → Extract Key Facts…: a non-modal window over one document. The analyst picks a template and
// whether the chat's provider or only the offline rules read it; the facts come back in a table (field, value,
// page, method, quote) under the extraction's warnings. Activating a row asks for its passage to be shown in
// the viewer; Copy as JSON copies what `docsight-cli extract --json` prints. It shows; KeyFactsController works.
class KeyFactsDialog final : public QDialog
{
    Q_OBJECT

public:
    explicit KeyFactsDialog(KeyFactsController *controller, QWidget *parent = nullptr);

    // The document to read; a different one clears the last result.
    void setDocument(qint64 documentId, const QString &name);
    // The chat pane's provider and model; with the extractive answerer only the offline rules are offered.
    void setChatProvider(const ProviderSettings &provider, const QString &model);

    qint64 documentId() const { return m_documentId; }
    const ExtractionResult &result() const { return m_result; }
    QTableWidget *table() const { return m_table; }
    QString warningsText() const;
    bool usesChatProvider() const;
    void setTemplate(FactTemplate templ);
    void setUseChatProvider(bool use);

    void extract();
    void copyJson();
    // What the JSON button copies: ExtractionResult::toJson(), indented as the CLI prints it.
    static QByteArray resultJson(const ExtractionResult &result);

Q_SIGNALS:
    void passageRequested(const docsight::PassageTarget &target);

private:
    void onBusy(bool busy);
    void onFinished(const ExtractionResult &result, bool cancelled);
    void showResult();
    void activateRow(int row);
    void updateTemplateHelp();
    FactTemplate currentTemplate() const;

    KeyFactsController *m_controller = nullptr;
    qint64 m_documentId = 0;
    QString m_documentName;
    ProviderSettings m_provider;
    QString m_model;
    ExtractionResult m_result;
    bool m_hasResult = false;

    QLabel *m_document = nullptr;
    QComboBox *m_template = nullptr;
    QLabel *m_templateHelp = nullptr;
    QRadioButton *m_useProvider = nullptr;
    QRadioButton *m_offline = nullptr;
    QPushButton *m_extract = nullptr;
    QPushButton *m_cancel = nullptr;
    QProgressBar *m_busy = nullptr;
    QLabel *m_status = nullptr;
    QLabel *m_warnings = nullptr;
    QTableWidget *m_table = nullptr;
    QLabel *m_empty = nullptr;
    QPushButton *m_copyJson = nullptr;
};

} // namespace docsight
