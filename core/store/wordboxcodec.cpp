#include "store/wordboxcodec.h"

#include <cstring>

#include <QtEndian>

namespace docsight {
namespace {

constexpr char kVersion = 1;
constexpr qsizetype kRecordSize = 7 * 4;

void putFloat(char *&out, float value)
{
    quint32 bits = 0;
    std::memcpy(&bits, &value, sizeof bits);
    qToLittleEndian(bits, out);
    out += 4;
}

void putInt(char *&out, qint32 value)
{
    qToLittleEndian(value, out);
    out += 4;
}

float getFloat(const char *&in)
{
    const quint32 bits = qFromLittleEndian<quint32>(in);
    in += 4;
    float value = 0;
    std::memcpy(&value, &bits, sizeof value);
    return value;
}

qint32 getInt(const char *&in)
{
    const qint32 value = qFromLittleEndian<qint32>(in);
    in += 4;
    return value;
}

} // namespace

QByteArray encodeWordBoxes(const QList<WordBox> &words)
{
    QByteArray blob(1 + words.size() * kRecordSize, Qt::Uninitialized);
    blob[0] = kVersion;
    char *out = blob.data() + 1;
    for (const WordBox &w : words) {
        putFloat(out, static_cast<float>(w.rect.x()));
        putFloat(out, static_cast<float>(w.rect.y()));
        putFloat(out, static_cast<float>(w.rect.width()));
        putFloat(out, static_cast<float>(w.rect.height()));
        putInt(out, w.start);
        putInt(out, w.length);
        putFloat(out, w.confidence);
    }
    return blob;
}

QList<WordBox> decodeWordBoxes(const QByteArray &blob)
{
    QList<WordBox> words;
    if (blob.size() < 1 || blob.at(0) != kVersion || (blob.size() - 1) % kRecordSize != 0)
        return words;
    const qsizetype count = (blob.size() - 1) / kRecordSize;
    words.reserve(count);
    const char *in = blob.constData() + 1;
    for (qsizetype i = 0; i < count; ++i) {
        WordBox w;
        const float x = getFloat(in);
        const float y = getFloat(in);
        const float width = getFloat(in);
        const float height = getFloat(in);
        w.rect = QRectF(x, y, width, height);
        w.start = getInt(in);
        w.length = getInt(in);
        w.confidence = getFloat(in);
        words.append(w);
    }
    return words;
}

} // namespace docsight
