#include "llm/extractiveanswerer.h"

#include "llm/citationresolver.h"
#include "llm/tablerow.h"
#include "search/textanalysis.h"

#include <algorithm>
#include <cmath>

#include <QElapsedTimer>
#include <QHash>
#include <QLoggingCategory>
#include <QRegularExpression>
#include <QSet>

Q_LOGGING_CATEGORY(lcExtractive, "docsight.llm.extractive")

namespace docsight {

namespace {

constexpr int kMinSentenceWords = 4;
constexpr int kLongSentenceWords = 35; // beyond this, a sentence matches terms by sheer length

QStringList termsOf(const QString &text)
{
    const QString folded = foldForSearch(text);
    QStringList terms;
    for (const QStringView token : searchTokens(folded)) {
        if (isStopWord(token))
            continue;
        terms << porterStem(token);
    }
    return terms;
}

int wordCount(QStringView text)
{
    int n = 0;
    bool inWord = false;
    for (const QChar c : text) {
        if (c.isSpace()) {
            inWord = false;
        } else if (!inWord) {
            inWord = true;
            ++n;
        }
    }
    return n;
}

bool isHeading(QStringView paragraph)
{
    static const QRegularExpression numbered(
        QStringLiteral("^(?:\\d+(?:\\.\\d+)*\\.?\\s+\\S|[A-Z]\\.\\d+(?:\\.\\d+)*\\.?\\s+\\S|(?:Chapter|Appendix|Section|Part)\\s+[\\dA-Z])"));
    return paragraph.size() < 100 && numbered.match(paragraph.toString()).hasMatch();
}

// Three or more lines, most of them ending in a number or a colon: table rows and the labels
// between them, each a unit of its own, where wrapped prose lines end in words.
bool looksLikeTable(QStringView text)
{
    int lines = 0;
    int rows = 0;
    for (const QStringView line : text.split(QLatin1Char('\n'), Qt::SkipEmptyParts)) {
        const QStringView t = line.trimmed();
        if (t.isEmpty())
            continue;
        ++lines;
        const QChar last = t.back();
        rows += last.isDigit() || last == QLatin1Char(')') || last == QLatin1Char('%') || last == QLatin1Char(':') ? 1 : 0;
    }
    return lines >= 3 && 2 * rows > lines;
}

// "Net income in 2022: 99,803" when the question names one of the columns' years, else every year.
QString tableRowAnswer(const TableRowReading &row, const QString &question)
{
    for (const auto &[year, value] : row.cells) {
        if (question.contains(year))
            return QStringLiteral("%1 in %2: %3").arg(row.label, year, value);
    }
    QStringList cells;
    for (const auto &[year, value] : row.cells)
        cells << QStringLiteral("%1: %2").arg(year, value);
    return QStringLiteral("%1 \u2014 %2").arg(row.label, cells.join(QStringLiteral("; ")));
}

// Whether a blank line in PDF text sits inside a sentence: around a code line ("The function sink,"
// / "> sink("record.lis")" / "will divert all ...") or a wrapped fragment.
bool continuesAcross(QStringView previous, QStringView next)
{
    if (previous.isEmpty() || next.isEmpty() || isHeading(previous) || isHeading(next))
        return false;
    const QChar last = previous.back();
    const QChar first = next.front();
    if (first.isLower())
        return true;
    if (last == QLatin1Char(',') || last == QLatin1Char(';') || last == QLatin1Char(':') || last == QLatin1Char('(')
        || last == QLatin1Char('-') || last == QChar(0x2013))
        return true;
    return last.isLower() && !first.isLetter() && first != QChar(0x2022);
}

// For "What is X?" / "Who are X?": X, so that a sentence defining it ("X is ...") can be preferred.
QString definitionSubject(const QString &question)
{
    static const QRegularExpression pattern(QStringLiteral("^\\s*(?:what|who)\\s+(?:is|are|was|were)\\s+(?:an?\\s+|the\\s+)?"
                                                           "([^?]{1,60}?)\\s*\\??\\s*$"),
                                            QRegularExpression::CaseInsensitiveOption);
    const QRegularExpressionMatch m = pattern.match(question);
    return m.hasMatch() ? m.captured(1).simplified() : QString();
}

bool defines(const QString &sentence, const QString &subject)
{
    static const QRegularExpression article(QStringLiteral("^(?:an?|the)\\s+"), QRegularExpression::CaseInsensitiveOption);
    QString s = sentence;
    s.remove(article);
    if (!s.startsWith(subject, Qt::CaseInsensitive))
        return false;
    const QStringView rest = QStringView(s).mid(subject.size());
    static const QRegularExpression verb(QStringLiteral("^(?:\\s*\\([^)]*\\))?,?\\s+(?:is|are|was|were|means|refers to)\\s"));
    return verb.match(rest.toString()).hasMatch();
}

} // namespace

ExtractiveAnswerer::ExtractiveAnswerer(ExtractiveSettings settings)
    : m_settings(settings)
{
}

QString ExtractiveAnswerer::noAnswerText()
{
    return QStringLiteral("The documents do not answer this question: no passage found shares enough of its key terms.");
}

QString ExtractiveAnswerer::id() const
{
    return QStringLiteral("extractive");
}

QString ExtractiveAnswerer::defaultModel() const
{
    return QStringLiteral("sentence-overlap-v1");
}

int ExtractiveAnswerer::contextWindow(const QString &) const
{
    return 1'000'000; // reads every passage it is given
}

ModelList ExtractiveAnswerer::listModels(const CancelToken &)
{
    return {{defaultModel()}, {}};
}

QList<std::pair<int, int>> ExtractiveAnswerer::passageSentences(const QString &text) const
{
    // Paragraphs (blank-line separated), then paragraphs that continue one another grouped back together.
    static const QRegularExpression blank(QStringLiteral("\\n[ \\t\\r]*\\n\\s*"));
    QList<std::pair<int, int>> paragraphs;
    int from = 0;
    auto it = blank.globalMatch(text);
    while (it.hasNext()) {
        const QRegularExpressionMatch m = it.next();
        paragraphs.append({from, static_cast<int>(m.capturedStart())});
        from = static_cast<int>(m.capturedEnd());
    }
    paragraphs.append({from, static_cast<int>(text.size())});

    QList<std::pair<int, int>> groups;
    for (const auto &[start, end] : std::as_const(paragraphs)) {
        const QStringView paragraph = QStringView(text).mid(start, end - start).trimmed();
        if (paragraph.isEmpty())
            continue;
        if (!groups.isEmpty()) {
            const auto &last = groups.constLast();
            const QStringView previous = QStringView(text).mid(last.first, last.second - last.first).trimmed();
            if (continuesAcross(previous, paragraph)) {
                groups.last().second = end;
                continue;
            }
        }
        groups.append({start, end});
    }

    QList<std::pair<int, int>> sentences;
    for (const auto &[start, end] : std::as_const(groups)) {
        QString flat = text.mid(start, end - start);
        flat.replace(QLatin1Char('\n'), QLatin1Char(' ')).replace(QLatin1Char('\r'), QLatin1Char(' '));
        const QList<std::pair<int, int>> spans = CitationResolver::sentenceSpans(flat);
        for (const auto &[s, e] : spans) {
            const QStringView sentence = QStringView(text).mid(start + s, e - s);
            if (wordCount(sentence) <= m_settings.maxSentenceWords && !looksLikeTable(sentence)) {
                sentences.append({start + s, start + e});
                continue;
            }
            // A table, or a list with no full stops: its lines are the units.
            int lineStart = start + s;
            for (int i = start + s; i <= start + e; ++i) {
                if (i == start + e || text.at(i) == QLatin1Char('\n')) {
                    const QStringView line = QStringView(text).mid(lineStart, i - lineStart).trimmed();
                    if (!line.isEmpty()) {
                        const int offset = static_cast<int>(line.data() - text.constData());
                        sentences.append({offset, offset + static_cast<int>(line.size())});
                    }
                    lineStart = i + 1;
                }
            }
        }
    }
    return sentences;
}

QList<ExtractedSentence> ExtractiveAnswerer::pick(const QString &question, const QList<ChatSource> &sources) const
{
    QStringList questionTerms = termsOf(question);
    questionTerms.removeDuplicates();
    if (questionTerms.isEmpty() || sources.isEmpty())
        return {};

    struct Candidate {
        ExtractedSentence sentence;
        QSet<QString> terms;
        int words = 0;
    };
    QList<Candidate> candidates;
    QHash<QString, int> documentFrequency;
    for (qsizetype s = 0; s < sources.size(); ++s) {
        const QString &text = sources.at(s).text;
        QSet<QString> inSource;
        for (const auto &[start, end] : passageSentences(text)) {
            Candidate c;
            c.sentence.source = static_cast<int>(s);
            c.sentence.start = start;
            c.sentence.end = end;
            c.sentence.text = text.mid(start, end - start).simplified();
            c.words = wordCount(c.sentence.text);
            const QStringList terms = termsOf(c.sentence.text);
            c.terms = QSet<QString>(terms.cbegin(), terms.cend());
            inSource.unite(c.terms);
            // A section title repeats the question's words without answering it.
            if (c.words >= kMinSentenceWords && !(c.words <= 12 && isHeading(c.sentence.text)))
                candidates.append(c);
        }
        for (const QString &term : std::as_const(inSource))
            ++documentFrequency[term];
    }

    // Inverse document frequency over the passages: a term in every passage tells them apart least.
    const double n = static_cast<double>(sources.size());
    const auto idf = [&](const QString &term) {
        const int df = documentFrequency.value(term);
        return std::log(1.0 + (n + 1.0) / std::max(1, df));
    };
    double questionWeight = 0.0;
    for (const QString &term : std::as_const(questionTerms))
        questionWeight += idf(term); // a term no passage has counts fully: the passages miss it
    const QString subject = definitionSubject(question);

    for (Candidate &c : candidates) {
        double matched = 0.0;
        for (const QString &term : std::as_const(questionTerms)) {
            if (c.terms.contains(term))
                matched += idf(term);
        }
        c.sentence.coverage = matched / questionWeight;
        const double rankBonus = 1.0 + 0.5 / (c.sentence.source + 1);
        const double lengthFactor = 1.0 / (1.0 + std::max(0, c.words - kLongSentenceWords) / double(kLongSentenceWords));
        // Asked what something is, the sentence that says "X is ..." answers better than one naming X.
        const double definitionBonus = !subject.isEmpty() && defines(c.sentence.text, subject) ? 1.5 : 1.0;
        // A lead-in ending in a colon ("Adjustments to reconcile net income to cash generated by
        // operating activities:") names what follows; the line that follows holds the answer.
        const double leadIn = c.sentence.text.endsWith(QLatin1Char(':')) ? 0.5 : 1.0;
        c.sentence.score = matched * rankBonus * lengthFactor * definitionBonus * leadIn;
    }
    std::stable_sort(candidates.begin(), candidates.end(),
                     [](const Candidate &a, const Candidate &b) { return a.sentence.score > b.sentence.score; });
    const double bestCoverage = candidates.isEmpty() ? 0.0 : candidates.constFirst().sentence.coverage;
    qCDebug(lcExtractive) << "best sentence covers" << bestCoverage << "of the question's term weight";
    if (bestCoverage < m_settings.minCoverage)
        return {};

    // The best sentence, then others that score close to it and bring a question term it lacks.
    QList<ExtractedSentence> chosen;
    QSet<QString> covered;
    const double best = candidates.constFirst().sentence.score;
    for (const Candidate &c : std::as_const(candidates)) {
        if (chosen.size() >= m_settings.maxSentences || c.sentence.score < best * m_settings.keepRatio)
            break;
        bool addsTerm = chosen.isEmpty();
        for (const QString &term : std::as_const(questionTerms)) {
            if (c.terms.contains(term) && !covered.contains(term))
                addsTerm = true;
        }
        if (!addsTerm)
            continue;
        for (const QString &term : std::as_const(questionTerms)) {
            if (c.terms.contains(term))
                covered.insert(term);
        }
        chosen.append(c.sentence);
    }
    std::sort(chosen.begin(), chosen.end(), [](const ExtractedSentence &a, const ExtractedSentence &b) {
        return a.source != b.source ? a.source < b.source : a.start < b.start;
    });
    return chosen;
}

ChatResult ExtractiveAnswerer::chat(const ChatRequest &request, const ChatDeltaFn &onDelta)
{
    ChatResult result;
    result.model = defaultModel();
    result.finishReason = QStringLiteral("stop");
    if (request.cancel.isCancelled()) {
        result.error = ChatError::Cancelled;
        result.message = QStringLiteral("The question was cancelled.");
        return result;
    }
    QElapsedTimer timer;
    timer.start();
    const QList<ExtractedSentence> sentences = pick(request.question, request.sources);
    if (sentences.isEmpty()) {
        result.text = noAnswerText();
        if (onDelta)
            onDelta(result.text);
        return result;
    }
    // One sentence per line: a line break always ends a sentence for the citation resolver, even when
    // the extracted text has no full stop of its own.
    for (const ExtractedSentence &s : sentences) {
        const ChatSource &source = request.sources.at(s.source);
        const QString cite = QStringLiteral(" [") + source.label + QLatin1Char(']');
        QString line = (result.text.isEmpty() ? QString() : QStringLiteral("\n")) + s.text + cite;
        // A table row as quoted is a label and bare numbers; say which year each number is for.
        const QString above = source.section + QLatin1Char('\n') + source.text.left(s.start);
        if (const auto row = readTableRow(s.text, above))
            line += QLatin1Char('\n') + tableRowAnswer(*row, request.question) + cite;
        result.text += line;
        if (onDelta)
            onDelta(line);
    }
    qCDebug(lcExtractive) << "picked" << sentences.size() << "sentence(s) in" << timer.elapsed() << "ms";
    return result;
}

} // namespace docsight
