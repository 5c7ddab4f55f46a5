#include "llm/citationresolver.h"

#include <algorithm>
#include <set>

#include <QLoggingCategory>
#include <QRegularExpression>

namespace docsight {

Q_LOGGING_CATEGORY(lcCitations, "docsight.llm.citations")

namespace {

constexpr int kMaxRange = 50;          // "[S1-S9999]" is a typo, not fifty thousand citations
constexpr int kMinQuoteLength = 20;    // shorter sentences match too easily to count as a quote
constexpr int kMinSubstantiveWords = 3;

bool isClosingQuote(QChar c)
{
    return c == QLatin1Char('"') || c == QLatin1Char('\'') || c == QLatin1Char(')') || c == QChar(0x201D)
        || c == QChar(0x2019) || c == QLatin1Char('*') || c == QLatin1Char('_');
}

bool isSentenceEnd(QChar c)
{
    return c == QLatin1Char('.') || c == QLatin1Char('!') || c == QLatin1Char('?') || c == QChar(0x3002)
        || c == QChar(0xFF01) || c == QChar(0xFF1F);
}

int countWords(QStringView text)
{
    static const QRegularExpression word(QStringLiteral("\\p{L}[\\p{L}\\p{N}'\\-]*"));
    int n = 0;
    auto it = word.globalMatch(text.toString());
    while (it.hasNext()) {
        it.next();
        ++n;
    }
    return n;
}

// The sentence as a quote would read: markers out, markdown and list bullets off, spaces collapsed.
QString quotableText(QStringView sentence, const QList<CitationMarker> &markers, int offset)
{
    QString s = sentence.toString();
    for (qsizetype i = markers.size() - 1; i >= 0; --i) {
        const CitationMarker &m = markers.at(i);
        const qsizetype start = m.start - offset;
        if (start >= 0 && start + m.length <= s.size())
            s.remove(start, m.length);
    }
    static const QRegularExpression bullet(QStringLiteral("^\\s*(?:[-*\u2022]|\\d+[.)])\\s+"));
    static const QRegularExpression emphasis(QStringLiteral("\\*\\*|__|`"));
    // "word ." becomes "word."; a dot leader ("equipment ........") keeps its space.
    static const QRegularExpression spaceBeforePunct(QStringLiteral("\\s+([.,;:!?])(?!\\.)"));
    s.remove(bullet);
    s.remove(emphasis);
    s = s.simplified();
    s.replace(spaceBeforePunct, QStringLiteral("\\1"));
    while (!s.isEmpty() && (s.front() == QLatin1Char('"') || s.front() == QChar(0x201C)))
        s.remove(0, 1);
    while (!s.isEmpty() && (s.back() == QLatin1Char('"') || s.back() == QChar(0x201D)))
        s.chop(1);
    return s;
}

bool saysNotInDocuments(const QString &text)
{
    static const QRegularExpression declined(
        QStringLiteral("\\b(?:do(?:es)?n[o']t|do(?:es)? not|cannot|can't|could not|couldn't)\\s+(?:\\w+\\s+){0,3}?"
                       "(?:contain|include|mention|provide|say|state|answer|cover|address|find|found|describe)"
                       "|\\bno (?:information|answer|mention|passage)|\\bnot (?:found|mentioned|covered|addressed|stated) in"
                       "|\\bhold no answer"),
        QRegularExpression::CaseInsensitiveOption);
    return declined.match(text).hasMatch();
}

} // namespace

QString citations::normalizeWithMap(QStringView text, QList<int> *map)
{
    QString out;
    out.reserve(text.size());
    map->clear();
    bool pendingSpace = false;
    for (qsizetype i = 0; i < text.size(); ++i) {
        const QChar c = text.at(i);
        if (c == QChar(0x00AD))
            continue;
        if (c.isSpace()) {
            pendingSpace = !out.isEmpty();
            continue;
        }
        if (pendingSpace) {
            out += QLatin1Char(' ');
            map->append(static_cast<int>(i) - 1);
            pendingSpace = false;
        }
        out += c;
        map->append(static_cast<int>(i));
    }
    return out;
}

QList<CitationMarker> citations::findMarkers(QStringView text)
{
    static const QRegularExpression bracket(
        QStringLiteral("\\[\\s*S\\s*\\d{1,4}(?:\\s*(?:,|;|&|and|-|\u2013|\u2014)\\s*(?:S\\s*)?\\d{1,4})*\\s*\\]"),
        QRegularExpression::CaseInsensitiveOption);
    static const QRegularExpression item(QStringLiteral("(,|;|&|and|-|\u2013|\u2014)?\\s*(?:S\\s*)?(\\d{1,4})"),
                                         QRegularExpression::CaseInsensitiveOption);
    QList<CitationMarker> markers;
    const QString owned = text.toString();
    auto it = bracket.globalMatch(owned);
    while (it.hasNext()) {
        const QRegularExpressionMatch m = it.next();
        CitationMarker marker{m.capturedStart(), m.capturedLength(), {}};
        const QString inner = m.captured(0).mid(1, m.capturedLength() - 2);
        int previous = 0;
        auto items = item.globalMatch(inner);
        while (items.hasNext()) {
            const QRegularExpressionMatch im = items.next();
            const int n = im.captured(2).toInt();
            const QString sep = im.captured(1);
            const bool range = sep == QLatin1String("-") || sep == QStringLiteral("\u2013") || sep == QStringLiteral("\u2014");
            if (range && previous > 0 && n > previous && n - previous <= kMaxRange) {
                for (int k = previous + 1; k <= n; ++k) {
                    if (!marker.numbers.contains(k))
                        marker.numbers.append(k);
                }
            } else if (!marker.numbers.contains(n)) {
                marker.numbers.append(n);
            }
            previous = n;
        }
        markers.append(marker);
    }
    return markers;
}

QList<std::pair<int, int>> citations::sentenceSpans(QStringView text)
{
    QList<std::pair<int, int>> spans;
    const int n = static_cast<int>(text.size());
    int start = 0;
    const auto addSpan = [&](int end) {
        int s = start;
        int e = end;
        while (s < e && text.at(s).isSpace())
            ++s;
        while (e > s && text.at(e - 1).isSpace())
            --e;
        if (e > s)
            spans.append({s, e});
    };
    for (int i = 0; i < n; ++i) {
        const QChar c = text.at(i);
        if (c == QLatin1Char('\n')) {
            addSpan(i);
            start = i + 1;
            continue;
        }
        if (!isSentenceEnd(c))
            continue;
        // A run of dots is a table's dot leader ("Net income ........ 629,551") or an ellipsis, not a
        // full stop.
        if (c == QLatin1Char('.') && i > 0 && text.at(i - 1) == QLatin1Char('.'))
            continue;
        int j = i + 1;
        while (j < n && isClosingQuote(text.at(j)))
            ++j;
        if (j >= n || !text.at(j).isSpace() || text.at(j) == QLatin1Char('\n'))
            continue; // end of text, mid-token ("3.5", "e.g"), or a line break that ends it anyway
        int k = j;
        while (k < n && text.at(k).isSpace() && text.at(k) != QLatin1Char('\n'))
            ++k;
        if (k >= n || text.at(k) == QLatin1Char('\n'))
            continue;
        int end = j;
        // Markers written after the full stop ("... a file. [S1] Next") still belong to this sentence.
        while (k < n && text.at(k) == QLatin1Char('[') && k + 1 < n && text.at(k + 1).toLower() == QLatin1Char('s')) {
            const int close = static_cast<int>(text.indexOf(QLatin1Char(']'), k));
            if (close < 0 || close - k > 40)
                break;
            end = close + 1;
            k = end;
            while (k < n && text.at(k).isSpace() && text.at(k) != QLatin1Char('\n'))
                ++k;
        }
        if (k >= n || text.at(k) == QLatin1Char('\n') || text.at(k).isLower())
            continue; // the end (or a line break) closes it anyway; or an abbreviation ("e.g. the")
        addSpan(end);
        start = k;
        i = k - 1;
    }
    addSpan(n);
    return spans;
}

void citations::resolve(const QString &rawText, const QList<RetrievedPassage> &sources, Answer *answer)
{
    answer->sources = sources;
    answer->citations.clear();
    answer->sentences.clear();
    answer->unknownMarkers.clear();
    answer->uncitedSentences.clear();

    // 1. Rewrite the markers: keep what names a passage, drop (and report) the rest.
    const QList<CitationMarker> rawMarkers = findMarkers(rawText);
    QString text;
    QList<CitationMarker> markers; // spans in the cleaned text
    qsizetype copied = 0;
    for (const CitationMarker &m : rawMarkers) {
        text += QStringView(rawText).mid(copied, m.start - copied);
        copied = m.start + m.length;
        QList<int> valid;
        for (const int number : m.numbers) {
            if (number >= 1 && number <= sources.size())
                valid.append(number);
            else if (const QString label = QStringLiteral("S%1").arg(number); !answer->unknownMarkers.contains(label))
                answer->unknownMarkers.append(label);
        }
        if (valid.isEmpty()) {
            // "claim [S9]." reads "claim." once the marker is gone; "claim [S9][S2]" keeps its space.
            const bool markerFollows = copied < rawText.size() && rawText.at(copied) == QLatin1Char('[');
            while (!markerFollows && !text.isEmpty() && text.back() == QLatin1Char(' '))
                text.chop(1);
            continue;
        }
        QStringList labels;
        for (const int number : std::as_const(valid))
            labels << QStringLiteral("S%1").arg(number);
        const QString replacement = QLatin1Char('[') + labels.join(QStringLiteral(", ")) + QLatin1Char(']');
        markers.append({text.size(), replacement.size(), valid});
        text += replacement;
    }
    text += QStringView(rawText).mid(copied);
    answer->text = text;
    if (!answer->unknownMarkers.isEmpty())
        qCInfo(lcCitations) << "dropped" << answer->unknownMarkers.size() << "marker(s) naming no passage";

    // 2. Sentences, the markers each carries, and the passages they point to.
    QList<QList<int>> normalizedSources(sources.size());
    QStringList normalizedText;
    for (const RetrievedPassage &p : sources) {
        QList<int> map;
        normalizedText << normalizeWithMap(p.text, &map);
        normalizedSources[normalizedText.size() - 1] = map;
    }
    std::set<std::tuple<int, int, int>> seen; // (source, charStart, charEnd)
    const QList<std::pair<int, int>> spans = sentenceSpans(text);
    for (const auto &[start, end] : spans) {
        AnswerSentence sentence{start, end, {}};
        QList<CitationMarker> inside;
        QList<int> numbers;
        for (const CitationMarker &m : std::as_const(markers)) {
            if (m.start >= start && m.start < end) {
                inside.append(m);
                for (const int number : m.numbers) {
                    if (!numbers.contains(number))
                        numbers.append(number);
                }
            }
        }
        const QStringView sentenceText = QStringView(text).mid(start, end - start);
        const QString quotable = quotableText(sentenceText, inside, start);
        const int sentenceIndex = static_cast<int>(answer->sentences.size());
        for (const int number : std::as_const(numbers)) {
            const int index = number - 1;
            const RetrievedPassage &p = sources.at(index);
            Citation c;
            c.marker = QStringLiteral("S%1").arg(number);
            c.sourceIndex = index;
            c.sentence = sentenceIndex;
            c.setLocation(p);
            c.chunkId = p.chunkId;
            c.document = p.documentName;
            c.quote = p.text.simplified();
            // A sentence found word for word is the quote, and its span the highlight.
            QString needle = quotable;
            qsizetype at = needle.size() >= kMinQuoteLength ? normalizedText.at(index).indexOf(needle, 0, Qt::CaseInsensitive) : -1;
            if (at < 0 && needle.size() > kMinQuoteLength && isSentenceEnd(needle.back())) {
                needle.chop(1);
                at = normalizedText.at(index).indexOf(needle, 0, Qt::CaseInsensitive);
            }
            if (at >= 0) {
                const QList<int> &map = normalizedSources.at(index);
                const int from = map.at(at);
                const int to = map.at(at + needle.size() - 1) + 1;
                c.charStart = p.charStart + from;
                c.charEnd = p.charStart + to;
                c.quote = p.text.mid(from, to - from).simplified();
                c.exactQuote = true;
            }
            sentence.markers << c.marker;
            // The same passage span cited again adds nothing for the reader; nor does the whole
            // passage, cited by a sentence not quoted from it (a table row's reading "Net income in
            // 2022: 99,803"), once a quote from that passage is listed.
            const bool passageQuotedAlready = !c.exactQuote
                && std::any_of(answer->citations.cbegin(), answer->citations.cend(),
                               [&](const Citation &other) { return other.sourceIndex == index; });
            if (!passageQuotedAlready && seen.insert({index, c.charStart, c.charEnd}).second)
                answer->citations.append(c);
        }
        if (numbers.isEmpty() && countWords(quotable) >= kMinSubstantiveWords && !quotable.endsWith(QLatin1Char(':')))
            answer->uncitedSentences << quotable;
        answer->sentences.append(sentence);
    }

    // An answer that cites nothing and says the documents hold no answer is a refusal, not a set of
    // unsupported claims.
    answer->declined = answer->citations.isEmpty() && saysNotInDocuments(text);
    if (answer->declined)
        answer->uncitedSentences.clear();
}

} // namespace docsight
