#include "llm/extractiveanswerer.h"

#include "llm/citationresolver.h"
#include "llm/tablerow.h"
#include "search/textanalysis.h"
#include "search/vocabulary.h"
#include "util/tablevalue.h"

#include <algorithm>
#include <cmath>

#include <QElapsedTimer>
#include <QHash>
#include <QLoggingCategory>
#include <QRegularExpression>
#include <QSet>

namespace docsight {

Q_LOGGING_CATEGORY(lcExtractive, "docsight.llm.extractive")

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

// "Net income in 2022 (in millions): 99,803" when the question names one of the columns' years, else
// every year.
QString tableRowAnswer(const TableRowReading &row, const QString &question)
{
    // A percentage is not in millions, whatever the table's note says of its amounts.
    const bool percentages = std::all_of(row.cells.cbegin(), row.cells.cend(),
                                         [](const auto &cell) { return cell.second.endsWith(QLatin1Char('%')); });
    const QString unit = row.unit.isEmpty() || percentages ? QString() : QStringLiteral(" (%1)").arg(row.unit);
    for (const auto &[year, value] : row.cells) {
        if (question.contains(year)) {
            const QString shown = value.endsWith(QLatin1Char('%')) ? QString() : unit;
            return QStringLiteral("%1 in %2%3: %4").arg(row.label, year, shown, value);
        }
    }
    QStringList cells;
    for (const auto &[year, value] : row.cells)
        cells << QStringLiteral("%1: %2").arg(year, value);
    return QStringLiteral("%1 \u2014 %2%3").arg(row.label, cells.join(QStringLiteral("; ")), unit);
}

const QRegularExpression &monthDate()
{
    static const QRegularExpression re(QStringLiteral("\\b(?:jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec)[a-z]*\\.?\\s+\\d{1,2}\\b"),
                                       QRegularExpression::CaseInsensitiveOption);
    return re;
}

// A figure: a number that is not a year or the day of a date ("$1,234", "28%", "2.5", "136").
bool hasFigure(const QString &text)
{
    QString t = text;
    t.replace(monthDate(), QStringLiteral(" "));
    static const QRegularExpression year(QStringLiteral("(?<![\\d,.])(?:19|20)\\d\\d(?![\\d,%]|\\.\\d)"));
    t.replace(year, QStringLiteral(" "));
    static const QRegularExpression number(QStringLiteral("\\d"));
    return t.contains(number);
}

bool hasDate(const QString &text)
{
    return text.contains(monthDate()) || !yearsIn(text).isEmpty();
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

// What the question asks for, beyond its words.
struct QuestionShape {
    QStringList terms; // stemmed content words, each once
    QString spelled;   // the question with fiscal shorthand spelled out ("FY17" -> "fiscal 2017")
    QStringList years; // the years it names
    bool asksFigure = false;
    bool asksDate = false;
    QString subject;   // "What is X?": X
    // Analyst vocabulary: the question's stems a phrase matched ("capex"), and the stems of each other
    // phrase of its group ("purchases of property and equipment"), any of which stands in for them.
    QList<std::pair<QStringList, QList<QStringList>>> synonyms;
};

QuestionShape shapeOf(const QString &question)
{
    QuestionShape shape;
    shape.spelled = spellOutPeriods(question);
    const QString &spelled = shape.spelled;
    shape.terms = termsOf(spelled);
    // "How much" and "how many" say what kind of answer is wanted (asksFigure), not what it is about.
    shape.terms.removeAll(QStringLiteral("much"));
    shape.terms.removeAll(QStringLiteral("mani"));
    shape.terms.removeDuplicates();
    shape.years = yearsIn(spelled);
    shape.years.removeDuplicates();
    static const QRegularExpression figure(
        QStringLiteral("^\\s*how\\s+(?:much|many|large|big|high|low|long|far|often)\\b"
                       "|\\b(?:percentage|percent|proportion|ratio|amount|number of|how much|how many)\\b"
                       "|^\\s*what\\s+(?:was|were|is|are)\\b.*\\b(?:19|20)\\d\\d\\b"),
        QRegularExpression::CaseInsensitiveOption);
    static const QRegularExpression date(QStringLiteral("^\\s*when\\b|\\b(?:what|which)\\s+(?:date|day|month|year)\\b"),
                                         QRegularExpression::CaseInsensitiveOption);
    shape.asksDate = date.match(question).hasMatch();
    shape.asksFigure = !shape.asksDate && figure.match(question).hasMatch();
    shape.subject = definitionSubject(question);
    for (const Vocabulary::Expansion &e : Vocabulary::analyst().expand(spelled)) {
        QList<QStringList> alternatives;
        for (const QString &a : e.alternatives) {
            if (const QStringList stems = termsOf(a); !stems.isEmpty())
                alternatives << stems;
        }
        if (const QStringList matched = termsOf(e.matched); !matched.isEmpty() && !alternatives.isEmpty())
            shape.synonyms.append({matched, alternatives});
    }
    return shape;
}

// The lines above a table row that say what its columns are: its caption, column headers and lead-in
// lines, the nearest few that are not rows themselves.
QString captionAbove(QStringView above)
{
    QStringList kept;
    const QList<QStringView> lines = above.split(QLatin1Char('\n'), Qt::SkipEmptyParts);
    for (auto it = lines.crbegin(); it != lines.crend() && kept.size() < 4; ++it) {
        const QStringView line = it->trimmed();
        if (!line.isEmpty() && trailingTableValues(line).isEmpty())
            kept.prepend(line.toString());
    }
    return kept.join(QLatin1Char('\n'));
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

namespace {

// Sentence spans of text; `rows`, when given, gets whether each span is one line of a table (or of a
// list with no full stops) rather than a sentence.
QList<std::pair<int, int>> splitSentences(const QString &text, int maxSentenceWords, QList<bool> *rows)
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
        // A table's dot leaders ("Net income ........ 629,551") would end sentences mid-row: a paragraph
        // that is a table is read line by line as a whole.
        const bool table = looksLikeTable(QStringView(text).mid(start, end - start));
        const QList<std::pair<int, int>> spans =
            table ? QList<std::pair<int, int>>{{0, static_cast<int>(flat.size())}} : citations::sentenceSpans(flat);
        for (const auto &[s, e] : spans) {
            const QStringView sentence = QStringView(text).mid(start + s, e - s);
            if (!table && wordCount(sentence) <= maxSentenceWords && !looksLikeTable(sentence)) {
                sentences.append({start + s, start + e});
                if (rows)
                    rows->append(false);
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
                        if (rows)
                            rows->append(true);
                    }
                    lineStart = i + 1;
                }
            }
        }
    }
    return sentences;
}

} // namespace

QList<std::pair<int, int>> ExtractiveAnswerer::passageSentences(const QString &text) const
{
    return splitSentences(text, m_settings.maxSentenceWords, nullptr);
}

QList<ExtractedSentence> ExtractiveAnswerer::pick(const QString &question, const QList<ChatSource> &sources) const
{
    const ExtractiveAnswer found = answer(question, sources);
    return found.closestOnly ? QList<ExtractedSentence>() : found.sentences;
}

ExtractiveAnswer ExtractiveAnswerer::answer(const QString &question, const QList<ChatSource> &sources) const
{
    const QuestionShape shape = shapeOf(question);
    if (shape.terms.isEmpty() || sources.isEmpty())
        return {};

    struct Candidate {
        ExtractedSentence sentence;
        QSet<QString> terms;
        QSet<QString> captionTerms; // a table row's caption and column headers, not already in terms
        QStringList years;          // the years it names, or a table row's column years
        bool figure = false;
        bool date = false;
        int words = 0;
    };
    QList<Candidate> candidates;
    QHash<QString, int> documentFrequency;
    QList<QSet<QString>> documentTerms; // per source: the words of its document's name
    for (qsizetype s = 0; s < sources.size(); ++s) {
        const ChatSource &source = sources.at(s);
        const QString &text = source.text;
        QSet<QString> inSource;
        QList<bool> rows;
        QString name = source.document;
        name.replace(QLatin1Char('_'), QLatin1Char(' ')).replace(QLatin1Char('.'), QLatin1Char(' '));
        const QStringList nameTerms = termsOf(name);
        const QString context = source.section + QLatin1Char('\n') + text; // where a row's column years may be
        documentTerms.append(QSet<QString>(nameTerms.cbegin(), nameTerms.cend()));
        const QList<std::pair<int, int>> spans = splitSentences(text, m_settings.maxSentenceWords, &rows);
        for (qsizetype i = 0; i < spans.size(); ++i) {
            const auto &[start, end] = spans.at(i);
            Candidate c;
            c.sentence.source = static_cast<int>(s);
            c.sentence.start = start;
            c.sentence.end = end;
            c.sentence.text = text.mid(start, end - start).simplified();
            c.words = wordCount(c.sentence.text);
            const QStringList terms = termsOf(c.sentence.text);
            c.terms = QSet<QString>(terms.cbegin(), terms.cend());
            inSource.unite(c.terms);
            c.years = yearsIn(c.sentence.text);
            c.figure = hasFigure(c.sentence.text);
            c.date = hasDate(c.sentence.text);
            // A table row ("Net income 96,995 99,803") is read against its column years and unit;
            // a sentence that merely ends in numbers ("... December 31, 2022") is not a row.
            if (rows.at(i) || looksLikeTable(c.sentence.text)) {
                const QString above = source.section + QLatin1Char('\n') + text.left(start);
                if (const auto row = readTableRow(c.sentence.text, above, context)) {
                    c.sentence.reading = tableRowAnswer(*row, shape.spelled);
                    c.years.clear();
                    // The row holds a value for each column year: it names them as much as its label.
                    for (const auto &cell : row->cells) {
                        c.years << cell.first;
                        c.terms.insert(cell.first);
                    }
                }
                const QStringList caption = termsOf(source.section + QLatin1Char('\n') + captionAbove(QStringView(text).left(start)));
                for (const QString &t : caption) {
                    if (!c.terms.contains(t))
                        c.captionTerms.insert(t);
                }
            }
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
    for (const QString &term : std::as_const(shape.terms))
        questionWeight += idf(term); // a term no passage has counts fully: the passages miss it
    // Words of the question that name some of the passages' documents but not all ("Adobe" among
    // ADOBE_2015_10K.pdf and BESTBUY_2017_10K.pdf): the analyst said which document, so a sentence of
    // another one answers a different question however well it matches. Numbers are left out: a year
    // or "10-K" names a period or a form, not whose document it is.
    QSet<QString> namingTerms;
    for (const QString &term : std::as_const(shape.terms)) {
        if (std::any_of(term.cbegin(), term.cend(), [](QChar ch) { return ch.isDigit(); }))
            continue;
        const auto names = std::count_if(documentTerms.cbegin(), documentTerms.cend(),
                                         [&](const QSet<QString> &d) { return d.contains(term); });
        if (names > 0 && names < documentTerms.size())
            namingTerms.insert(term);
    }

    for (Candidate &c : candidates) {
        double matched = 0.0;
        for (const QString &term : std::as_const(shape.terms)) {
            if (c.terms.contains(term))
                matched += idf(term);
            else if (c.captionTerms.contains(term))
                matched += 0.5 * idf(term);
        }
        // A vocabulary phrase standing in for the question's words counts almost as much as they do.
        for (const auto &[words, alternatives] : shape.synonyms) {
            const auto within = [](const QStringList &stems, const QSet<QString> &set) {
                return std::all_of(stems.cbegin(), stems.cend(), [&](const QString &t) { return set.contains(t); });
            };
            if (within(words, c.terms) || !std::any_of(alternatives.cbegin(), alternatives.cend(),
                                                        [&](const QStringList &a) { return within(a, c.terms); }))
                continue;
            for (const QString &term : words) {
                if (!c.terms.contains(term) && shape.terms.contains(term))
                    matched += (c.captionTerms.contains(term) ? 0.3 : 0.8) * idf(term);
            }
        }
        // How well the question is answered also counts the words its document's name holds ("Adobe"
        // in ADOBE_2015_10K.pdf), though they do not tell the units of one document apart.
        double named = 0.0;
        for (const QString &term : std::as_const(shape.terms)) {
            if (!c.terms.contains(term) && !c.captionTerms.contains(term) && documentTerms.at(c.sentence.source).contains(term))
                named += 0.5 * idf(term);
        }
        c.sentence.coverage = std::min(1.0, (matched + named) / questionWeight);
        // The passages come ranked by the second stage; its order is evidence, not a tie-break.
        const double rankPrior = 1.0 / (1.0 + 0.15 * c.sentence.source);
        const double lengthFactor = 1.0 / (1.0 + std::max(0, c.words - kLongSentenceWords) / double(kLongSentenceWords));
        // Asked what something is, the sentence that says "X is ..." answers better than one naming X.
        const double definitionBonus = !shape.subject.isEmpty() && defines(c.sentence.text, shape.subject) ? 1.5 : 1.0;
        // A lead-in ending in a colon ("Adjustments to reconcile net income to cash generated by
        // operating activities:") names what follows; the line that follows holds the answer.
        const double leadIn = c.sentence.text.endsWith(QLatin1Char(':')) ? 0.5 : 1.0;
        // "How much" is answered by a figure, "when" by a date.
        double kind = 1.0;
        if (shape.asksFigure)
            kind = c.figure ? 1.35 : 0.75;
        else if (shape.asksDate)
            kind = c.date ? 1.35 : 0.75;
        double period = 1.0;
        if (!shape.years.isEmpty() && !c.years.isEmpty()) {
            const bool agrees = std::any_of(shape.years.cbegin(), shape.years.cend(),
                                            [&](const QString &y) { return c.years.contains(y); });
            period = agrees ? 1.2 : 0.8;
        }
        const bool otherDocument = !namingTerms.isEmpty() && !documentTerms.at(c.sentence.source).intersects(namingTerms);
        const double whose = otherDocument ? 0.25 : 1.0;
        c.sentence.score = matched * rankPrior * lengthFactor * definitionBonus * leadIn * kind * period * whose;
    }
    std::stable_sort(candidates.begin(), candidates.end(),
                     [](const Candidate &a, const Candidate &b) { return a.sentence.score > b.sentence.score; });
    const double bestCoverage = candidates.isEmpty() ? 0.0 : candidates.constFirst().sentence.coverage;
    qCDebug(lcExtractive) << "best sentence covers" << bestCoverage << "of the question's term weight";
    if (bestCoverage < m_settings.minCoverage)
        return {};

    ExtractiveAnswer out;
    if (bestCoverage < m_settings.answerCoverage) {
        // A weak match: the closest passages' best sentence each, in passage order, as evidence to read.
        out.closestOnly = true;
        QSet<int> shown;
        for (const Candidate &c : std::as_const(candidates)) {
            if (shown.size() >= m_settings.closestPassages)
                break;
            if (c.sentence.coverage > 0 && !shown.contains(c.sentence.source)) {
                shown.insert(c.sentence.source);
                out.sentences.append(c.sentence);
            }
        }
    } else {
        // The best unit, then others that score close to it and bring a question term it lacks.
        QSet<QString> covered;
        const double best = candidates.constFirst().sentence.score;
        for (const Candidate &c : std::as_const(candidates)) {
            if (out.sentences.size() >= m_settings.maxSentences || c.sentence.score < best * m_settings.keepRatio)
                break;
            bool addsTerm = out.sentences.isEmpty();
            for (const QString &term : std::as_const(shape.terms)) {
                if (c.terms.contains(term) && !covered.contains(term))
                    addsTerm = true;
            }
            if (!addsTerm)
                continue;
            for (const QString &term : std::as_const(shape.terms)) {
                if (c.terms.contains(term))
                    covered.insert(term);
            }
            out.sentences.append(c.sentence);
        }
    }
    std::sort(out.sentences.begin(), out.sentences.end(), [](const ExtractedSentence &a, const ExtractedSentence &b) {
        return a.source != b.source ? a.source < b.source : a.start < b.start;
    });
    return out;
}

QString ExtractiveAnswerer::closestPassagesText()
{
    return QStringLiteral("No passage answers this directly; the closest passages are:");
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
    const ExtractiveAnswer found = answer(request.question, request.sources);
    if (found.sentences.isEmpty()) {
        result.text = noAnswerText();
        if (onDelta)
            onDelta(result.text);
        return result;
    }
    const auto say = [&](const QString &line) {
        const QString piece = (result.text.isEmpty() ? QString() : QStringLiteral("\n")) + line;
        result.text += piece;
        if (onDelta)
            onDelta(piece);
    };
    if (found.closestOnly)
        say(closestPassagesText());
    // One sentence per line: a line break always ends a sentence for the citation resolver, even when
    // the extracted text has no full stop of its own.
    for (const ExtractedSentence &s : found.sentences) {
        const QString cite = QStringLiteral(" [") + request.sources.at(s.source).label + QLatin1Char(']');
        // A table row as quoted is a label and bare numbers; its reading says which year and unit
        // each number is for.
        say(s.text + cite + (s.reading.isEmpty() ? QString() : QLatin1Char('\n') + s.reading + cite));
    }
    qCDebug(lcExtractive) << "picked" << found.sentences.size() << "sentence(s) in" << timer.elapsed() << "ms"
                          << (found.closestOnly ? "(closest passages only)" : "");
    return result;
}

} // namespace docsight
