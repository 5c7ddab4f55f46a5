#pragma once

#include "chat/conversation.h"
#include "settings/appsettings.h"

#include <functional>

#include <QWidget>

class QAction;
class QComboBox;
class QLabel;
class QMenu;
class QPlainTextEdit;
class QPushButton;
class QScrollArea;
class QToolButton;
class QVBoxLayout;

namespace docsight {

class AnswerView;
class ChatController;
class ChatWelcome;
class ConversationStore;
class GovernanceController;
class ProviderService;
class TrustBadge;

// The chat pane: a conversation with streamed answers whose citations open the viewer, a provider and
// model picker, the scope (all documents or those selected in the library), stop, new conversation,
// saved conversations to reopen and continue, and a first-run state with suggested questions.
class ChatPanel final : public QWidget
{
    Q_OBJECT

public:
    ChatPanel(ChatController *controller, ProviderService *providers, ConversationStore *store, QWidget *parent = nullptr);

    void setSettings(const AppSettings &settings);
    // Feedback on stored answers goes through it; its policy decides the trust shown next to the provider.
    void setGovernance(GovernanceController *governance);
    void setSelectionSource(std::function<QList<qint64>()> selected);
    void setSelectionCount(int count);
    void setSuggestions(const QStringList &questions);
    // QSettings key under which the last open conversation of this library is remembered.
    void setConversationKey(const QString &key);
    void restoreLastConversation();

    void ask(const QString &question);
    void newConversation();
    void openConversation(const QString &id);
    void focusInput();

    const Conversation &conversation() const { return m_conversation; }
    QList<AnswerView *> answerViews() const { return m_answers; }
    QList<QAction *> chatActions() const;
    QAction *stopAction() const { return m_stop; }
    QPlainTextEdit *input() const { return m_input; }
    ProviderKind currentProvider() const;
    QString currentModel() const;
    bool scopeIsSelection() const;
    TrustBadge *trustBadge() const { return m_trust; }

Q_SIGNALS:
    void citationActivated(const docsight::Citation &citation);
    void providerChanged();
    void busyChanged(bool busy);

protected:
    void changeEvent(QEvent *event) override;

private:
    void createWidgets();
    void applyTranscriptStyle();
    void send();
    void onDelta(const QString &text);
    void onFinished(const Answer &answer);
    QWidget *questionBubble(const QString &question);
    AnswerView *addAnswer();
    void rebuildTranscript();
    void updateState();
    void stepCitation(int step);
    void showCitation(AnswerView *view, int citationIndex);
    void refreshHistory();
    void loadModels();
    void onProviderPicked();
    void updateTrust();
    void onFeedbackRecorded(qint64 messageId, int rating, bool corrected, bool ok, const QString &error);

    ChatController *m_controller = nullptr;
    ProviderService *m_providers = nullptr;
    ConversationStore *m_store = nullptr;
    GovernanceController *m_governance = nullptr;
    AppSettings m_settings;
    std::function<QList<qint64>()> m_selected;

    QComboBox *m_provider = nullptr;
    QComboBox *m_model = nullptr;
    TrustBadge *m_trust = nullptr;
    QComboBox *m_scope = nullptr;
    QToolButton *m_history = nullptr;
    QMenu *m_historyMenu = nullptr;
    QScrollArea *m_scroll = nullptr;
    QWidget *m_transcript = nullptr;
    QVBoxLayout *m_transcriptLayout = nullptr;
    ChatWelcome *m_welcome = nullptr;
    QLabel *m_title = nullptr;
    QPlainTextEdit *m_input = nullptr;
    QPushButton *m_sendButton = nullptr;
    QAction *m_send = nullptr;
    QAction *m_stop = nullptr;
    QAction *m_new = nullptr;
    QAction *m_nextCitation = nullptr;
    QAction *m_previousCitation = nullptr;

    Conversation m_conversation;
    QList<AnswerView *> m_answers;
    AnswerView *m_streaming = nullptr;
    QString m_pendingQuestion;
    QList<qint64> m_pendingScope;
    QList<ConversationSummary> m_saved;
    QString m_conversationKey;
    int m_citationAnswer = -1;   // which answer next/previous citation walks
    int m_citationSource = -1;   // position in that answer's sources list
    bool m_stickToBottom = true;
    quint64 m_modelsRequest = 0;
};

} // namespace docsight
