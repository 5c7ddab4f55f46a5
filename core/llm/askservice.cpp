#include "llm/askservice.h"

#include "audit/auditlog.h"
#include "model/classification.h"
#include "governance/injectionguard.h"
#include "governance/restoringstream.h"
#include "governance/usagemeter.h"
#include "llm/citationresolver.h"
#include "llm/extractiveanswerer.h"
#include "store/messagestore.h"
#include "store/documentstore.h"
#include "store/library.h"

#include <map>

#include <QSet>

#include <QCryptographicHash>
#include <QElapsedTimer>
#include <QHash>
#include <QJsonArray>
#include <QJsonObject>
#include <QLoggingCategory>

namespace docsight {

Q_LOGGING_CATEGORY(lcAsk, "docsight.llm.ask")

namespace {

QString outcomeName(const Answer &answer)
{
    if (answer.governance.leakWithheld)
        return QStringLiteral("withheld");
    if (answer.governance.budgetBlocked)
        return QStringLiteral("blocked");
    switch (answer.error) {
    case ChatError::None: return answer.declined ? QStringLiteral("declined") : QStringLiteral("answered");
    case ChatError::Cancelled: return QStringLiteral("cancelled");
    default: return QStringLiteral("failed");
    }
}

// Questions of a conversation whose answers were given locally from passages of documents that are now
// Restricted (or gone): their text must not travel to a cloud provider as history either.
QSet<QString> locallyRestrictedTurns(const std::shared_ptr<Library> &library, qint64 conversationId)
{
    QSet<QString> out;
    DocumentStore documents(library);
    QHash<qint64, bool> restricted;
    for (const StoredMessage &m : MessageStore(library).messages(conversationId)) {
        if (m.trust != QLatin1String("local"))
            continue;
        for (const QJsonValue v : m.governance.value(QLatin1String("source_document_ids")).toArray()) {
            const qint64 id = v.toInteger();
            auto it = restricted.find(id);
            if (it == restricted.end()) {
                const std::optional<DocumentRecord> doc = documents.byId(id);
                it = restricted.insert(id, !doc || doc->classification >= Classification::Restricted);
            }
            if (*it) {
                out.insert(m.questionSha256);
                break;
            }
        }
    }
    return out;
}

} // namespace

AskService::AskService(std::shared_ptr<Library> library, std::shared_ptr<HybridRetriever> retriever,
                       std::shared_ptr<ChatProvider> provider)
    : m_library(std::move(library))
    , m_retriever(std::move(retriever))
    , m_provider(std::move(provider))
    , m_trust{m_provider->sendsDataOffDevice() ? ProviderTrust::Cloud : ProviderTrust::Local,
              m_provider->sendsDataOffDevice() ? QStringLiteral("%1 runs off this computer").arg(m_provider->id())
                                               : QStringLiteral("%1 runs on this computer").arg(m_provider->id())}
{
}

void AskService::setProviderTrust(const TrustDecision &trust)
{
    m_trust = trust;
}

void AskService::setLocalProvider(std::shared_ptr<ChatProvider> provider)
{
    m_localProvider = std::move(provider);
}

AskService::~AskService() = default;

QString AskService::noPassagesText()
{
    return QStringLiteral("No passage in the documents searched matches this question, so the documents do not answer it.");
}

QString AskService::sha256Hex(const QString &text)
{
    return QString::fromLatin1(QCryptographicHash::hash(text.toUtf8(), QCryptographicHash::Sha256).toHex());
}

Answer AskService::ask(const AskRequest &request, const ChatDeltaFn &onDelta) const
{
    QElapsedTimer timer;
    timer.start();
    const RetrievalResult retrieved = m_retriever->retrieve(request.question, request.retrieval);
    if (!retrieved.message.isEmpty())
        qCInfo(lcAsk).noquote() << "retrieval:" << retrieved.message;
    Answer answer = respond(request, retrieved.passages, onDelta, timer);
    if (!retrieved.message.isEmpty())
        answer.warnings.prepend(retrieved.message); // e.g. only keyword search could run
    return answer;
}

Answer AskService::answerFrom(const AskRequest &request, const QList<RetrievedPassage> &passages,
                              const ChatDeltaFn &onDelta) const
{
    QElapsedTimer timer;
    timer.start();
    return respond(request, passages, onDelta, timer);
}

Answer AskService::respond(const AskRequest &request, const QList<RetrievedPassage> &passages,
                          const ChatDeltaFn &onDelta, const QElapsedTimer &timer) const
{
    Answer answer;
    answer.question = request.question;
    answer.provider = m_provider->id();
    answer.model = request.model.isEmpty() ? m_provider->defaultModel() : request.model;

    // Policy first: what this provider may see, redacted how, answered where (governance/policygate.h).
    const GovernancePolicy policy = GovernancePolicy::load(*m_library);
    GateDecision gate = PolicyGate(policy, m_trust.trust, m_provider->id())
                            .apply(passages, PolicyGate::classificationsFor(m_library, passages));
    std::shared_ptr<ChatProvider> provider = m_provider;
    AnswerGovernance &gov = answer.governance;
    gov.trust = m_trust.trust;
    gov.trustReason = m_trust.reason;
    if (gate.routeLocally) {
        provider = m_localProvider ? m_localProvider : std::make_shared<ExtractiveAnswerer>();
        gov.trust = ProviderTrust::Local;
        gov.routedLocally = true;
        answer.provider = provider->id();
        answer.model = provider->defaultModel();
    }
    gov.withheld = gate.withheld;
    gov.withheldPassages = gate.withheldPassages;
    gov.redactedPassages = gate.redactedPassages;
    gov.injectionFlags = gate.injectionFlags;
    gov.notices = gate.notices;
    for (const RetrievedPassage &p : passages) {
        if (!gov.sourceDocumentIds.contains(p.documentId))
            gov.sourceDocumentIds.append(p.documentId);
    }
    answer.warnings << gate.notices;
    for (const InjectionFlag &f : std::as_const(gate.injectionFlags))
        answer.warnings << QStringLiteral("A passage of %1, page %2, reads like instructions to the model (%3); it was "
                                          "treated as data, but check the answer against it.")
                               .arg(f.document)
                               .arg(f.page)
                               .arg(f.signalIds.join(QStringLiteral(", ")));
    const QList<RetrievedPassage> &allowed = gate.toSend;
    bool providerCalled = false;

    const auto finish = [&] {
        answer.latencyMs = timer.elapsed();
        gov.redactions = gate.redactor.countsByKind();
        attachWordBoxes(&answer);
        if (request.record && !audit(&answer, request, providerCalled))
            answer.warnings << QStringLiteral("This question could not be recorded in the audit trail.");
        qCInfo(lcAsk).noquote() << answer.provider << answer.model << "passages" << answer.sources.size() << "citations"
                                << answer.citations.size() << "tokens" << answer.usage.inputTokens << "/"
                                << answer.usage.outputTokens << "in" << answer.latencyMs << "ms:" << outcomeName(answer);
        return answer;
    };

    if (allowed.isEmpty()) {
        // Nothing to ground an answer on: a model would only answer from memory.
        citations::resolve(noPassagesText(), {}, &answer);
        if (onDelta)
            onDelta(answer.text);
        return finish();
    }

    if (gov.trust == ProviderTrust::Cloud) {
        if (const std::optional<QString> refusal = UsageMeter(m_library).refuseCloudCall(provider->id())) {
            answer.error = ChatError::Configuration;
            answer.errorMessage = *refusal;
            gov.budgetBlocked = true;
            return finish();
        }
    }

    // With redaction on, the question and earlier turns go through the same redactor as the passages, so the
    // provider sees one consistent set of placeholders and no original hides in the history.
    const QString question = gate.redactionActive ? gate.redactor.redact(request.question) : request.question;
    QList<ConversationTurn> history = request.history;
    if (gov.trust == ProviderTrust::Cloud && request.conversationId != 0) {
        const QSet<QString> keepLocal = locallyRestrictedTurns(m_library, request.conversationId);
        const qsizetype before = history.size();
        history.removeIf([&](const ConversationTurn &t) { return keepLocal.contains(sha256Hex(t.question)); });
        if (history.size() < before) {
            const QString notice = QStringLiteral("%1 earlier turn(s) answered from Restricted documents were not sent to %2.")
                                       .arg(before - history.size())
                                       .arg(provider->id());
            gov.notices << notice;
            answer.warnings << notice;
        }
    }
    if (gate.redactionActive) {
        for (ConversationTurn &turn : history) {
            turn.question = gate.redactor.redact(turn.question);
            turn.answer = gate.redactor.redact(turn.answer);
        }
    }
    const QString canary = policy.canary ? injection::newCanary() : QString();
    const QString canaryLine = canary.isEmpty() ? QString() : injection::canaryInstruction(canary);

    PromptBudget budget;
    budget.contextWindow = provider->contextWindow(answer.model) - PromptBuilder::estimateTokens(canaryLine);
    budget.maxOutputTokens = request.maxTokens;
    budget.historyTokens = request.historyTokens;
    const BuiltPrompt prompt = PromptBuilder::build(question, allowed, history, budget);
    if (!prompt.ok()) {
        answer.error = ChatError::Configuration;
        answer.errorMessage = prompt.error;
        return finish();
    }
    if (prompt.passagesDropped > 0)
        answer.warnings << QStringLiteral("%1 passage(s) did not fit the model's context window and were left out.")
                               .arg(prompt.passagesDropped);
    // Citations resolve against what the documents say, not against the placeholders the provider saw.
    QList<RetrievedPassage> sent;
    for (const int index : prompt.sourceIndexes)
        sent.append(gate.originals.at(index));

    ChatRequest chat;
    chat.model = answer.model;
    chat.system = prompt.system + canaryLine;
    chat.messages = prompt.messages;
    chat.temperature = request.temperature;
    chat.maxTokens = prompt.maxOutputTokens;
    chat.cancel = request.cancel;
    chat.question = question;
    chat.sources = prompt.sources;

    // Streamed text: the canary never reaches the screen, placeholders are shown as the originals.
    CanaryStreamFilter canaryFilter(canary);
    RestoringStream restoring(gate.redactor);
    providerCalled = true;
    const ChatResult result = provider->chat(chat, [&](QStringView delta) {
        if (answer.firstTokenMs < 0)
            answer.firstTokenMs = timer.elapsed();
        const QString shown = restoring.push(canaryFilter.push(delta));
        if (onDelta && !shown.isEmpty())
            onDelta(shown);
    });
    QString tail = restoring.push(canaryFilter.finish());
    tail += restoring.finish();
    if (onDelta && !tail.isEmpty())
        onDelta(tail);
    answer.model = result.model.isEmpty() ? answer.model : result.model;
    answer.usage = result.usage;
    answer.error = result.error;
    answer.errorMessage = result.message;
    if (result.ok() && result.truncatedByLimit())
        answer.warnings << QStringLiteral("The answer reached the %1-token limit and is cut short.").arg(chat.maxTokens);

    const LeakCheck leak = injection::checkAnswer(result.text, chat.system, canary);
    if (leak.leaked || canaryFilter.tripped()) {
        gov.leakWithheld = true;
        gov.leakReason = leak.reason.isEmpty() ? QStringLiteral("the answer contains the system prompt's canary token") : leak.reason;
        citations::resolve(QString(), sent, &answer);
        answer.text = injection::withheldText();
        answer.sentences.clear();
        answer.citations.clear();
        answer.uncitedSentences.clear();
        answer.unknownMarkers.clear();
        answer.declined = false;
        answer.warnings << QStringLiteral("The answer was withheld: %1.").arg(gov.leakReason);
        return finish();
    }
    citations::resolve(gate.redactor.restore(result.text), sent, &answer);
    return finish();
}

void AskService::attachWordBoxes(Answer *answer) const
{
    if (answer->citations.isEmpty())
        return;
    DocumentStore store(m_library);
    std::map<std::pair<qint64, int>, std::optional<PageContent>> pages;
    for (Citation &c : answer->citations) {
        const auto key = std::make_pair(c.documentId, c.page);
        auto it = pages.find(key);
        if (it == pages.end())
            it = pages.emplace(key, store.page(c.documentId, c.page)).first;
        if (!it->second || it->second->words.isEmpty())
            continue; // a page without geometry (TXT, DOCX): the passage's own values stand
        const QList<WordBox> &words = it->second->words;
        int first = -1;
        int count = 0;
        c.boxes.clear();
        for (qsizetype i = 0; i < words.size(); ++i) {
            const WordBox &w = words.at(i);
            if (w.start < c.charEnd && w.start + w.length > c.charStart) {
                if (first < 0)
                    first = static_cast<int>(i);
                ++count;
                c.boxes.append(w.rect);
            }
        }
        if (first >= 0) {
            c.firstWord = first;
            c.wordCount = count;
        }
    }
}

bool AskService::audit(Answer *answer, const AskRequest &request, bool providerCalled) const
{
    const AnswerGovernance &gov = answer->governance;
    QJsonArray passageIds;
    for (const RetrievedPassage &p : answer->sources)
        passageIds.append(p.chunkId);
    QJsonArray citedIds;
    QList<StoredCitation> citations;
    for (const Citation &c : answer->citations) {
        if (!citedIds.contains(c.chunkId))
            citedIds.append(c.chunkId);
        citations.append({c.marker, c.chunkId, c.documentId, c.document, c.page, c.quote});
    }
    int redactedValues = 0;
    for (const int n : gov.redactions)
        redactedValues += n;
    const QString questionHash = sha256Hex(answer->question);

    // The exchange as the analyst saw it, for the audit report (the trail itself holds only hashes).
    StoredMessage message;
    message.conversationId = request.conversationId;
    if (message.conversationId != 0 && !MessageStore(m_library).conversation(message.conversationId))
        message.conversationId = 0;
    message.question = answer->question;
    message.answer = answer->text;
    message.provider = answer->provider;
    message.model = answer->model;
    message.trust = providerTrustName(gov.trust);
    QJsonArray documentFilter;
    for (const qint64 id : request.retrieval.documentIds.value_or(QList<qint64>{}))
        documentFilter.append(id);
    message.parameters = {{QStringLiteral("temperature"), request.temperature ? QJsonValue(*request.temperature) : QJsonValue()},
                          {QStringLiteral("max_tokens"), request.maxTokens},
                          {QStringLiteral("k"), request.retrieval.k},
                          {QStringLiteral("retrieval"), retrievalModeName(request.retrieval.mode)},
                          {QStringLiteral("history_turns"), static_cast<int>(request.history.size())}};
    if (!documentFilter.isEmpty())
        message.parameters.insert(QStringLiteral("documents"), documentFilter);
    message.citations = citations;
    message.governance = gov.toJson();
    message.outcome = outcomeName(*answer);
    message.questionSha256 = questionHash;
    message.answerSha256 = sha256Hex(answer->text);

    UsageRecord usage;
    usage.provider = answer->provider;
    usage.model = answer->model;
    usage.trust = providerTrustName(gov.trust);
    usage.inputTokens = answer->usage.inputTokens;
    usage.outputTokens = answer->usage.outputTokens;
    usage.latencyMs = answer->latencyMs;
    usage.ok = answer->ok() || answer->error == ChatError::Cancelled;
    usage.error = answer->ok() ? QString() : outcomeName(*answer);
    const PriceTable prices = UsageMeter(m_library).prices();

    QString error;
    const bool ok = m_library->write(
        [&](QSqlDatabase &db) {
            if (!MessageStore::append(db, &message, &error))
                return false;
            usage.messageId = message.id;
            if (providerCalled && !UsageMeter::record(db, prices, &usage, &error))
                return false;
            const QJsonObject payload{{QStringLiteral("question_sha256"), questionHash},
                                      {QStringLiteral("answer_sha256"), message.answerSha256},
                                      {QStringLiteral("provider"), answer->provider},
                                      {QStringLiteral("model"), answer->model},
                                      {QStringLiteral("trust"), message.trust},
                                      {QStringLiteral("passage_chunk_ids"), passageIds},
                                      {QStringLiteral("cited_chunk_ids"), citedIds},
                                      {QStringLiteral("outcome"), message.outcome},
                                      {QStringLiteral("input_tokens"), answer->usage.inputTokens},
                                      {QStringLiteral("output_tokens"), answer->usage.outputTokens},
                                      {QStringLiteral("latency_ms"), answer->latencyMs},
                                      {QStringLiteral("unknown_markers"), static_cast<int>(answer->unknownMarkers.size())},
                                      {QStringLiteral("uncited_sentences"), static_cast<int>(answer->uncitedSentences.size())},
                                      {QStringLiteral("history_turns"), static_cast<int>(request.history.size())},
                                      {QStringLiteral("withheld_passages"), gov.withheldPassages},
                                      {QStringLiteral("redacted_values"), redactedValues},
                                      {QStringLiteral("injection_flags"), static_cast<int>(gov.injectionFlags.size())},
                                      {QStringLiteral("routed_locally"), gov.routedLocally},
                                      {QStringLiteral("conversation_id"), message.conversationId},
                                      {QStringLiteral("message_id"), message.id}};
            const QString subject = QStringLiteral("question:") + questionHash.left(16);
            if (!auditlog::append(db, QStringLiteral("question.answered"), subject, payload, &error))
                return false;
            if (gov.leakWithheld
                && !auditlog::append(db, QStringLiteral("answer.withheld"), subject,
                                     {{QStringLiteral("reason"), gov.leakReason.contains(QLatin1String("canary"))
                                                                     ? QStringLiteral("canary") : QStringLiteral("system-prompt")},
                                      {QStringLiteral("provider"), answer->provider},
                                      {QStringLiteral("model"), answer->model},
                                      {QStringLiteral("message_id"), message.id}},
                                     &error))
                return false;
            return true;
        },
        &error);
    if (!ok) {
        qCWarning(lcAsk).noquote() << "the question could not be recorded in the audit trail:" << error;
        return false;
    }
    answer->governance.conversationId = message.conversationId;
    answer->governance.messageId = message.id;
    return true;
}

} // namespace docsight
