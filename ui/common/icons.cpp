#include "common/icons.h"

#include <QFile>
#include <QGuiApplication>
#include <QHash>
#include <QIconEngine>
#include <QPainter>
#include <QPalette>
#include <QPixmap>
#include <QSvgRenderer>

namespace docsight::icons {
namespace {

class PaletteSvgEngine final : public QIconEngine
{
public:
    explicit PaletteSvgEngine(QByteArray svg) : m_svg(std::move(svg)) {}

    void paint(QPainter *painter, const QRect &rect, QIcon::Mode mode, QIcon::State) override
    {
        QSvgRenderer renderer(tinted(mode));
        renderer.render(painter, rect);
    }

    QPixmap pixmap(const QSize &size, QIcon::Mode mode, QIcon::State state) override
    {
        return scaledPixmap(size, mode, state, 1.0);
    }

    QPixmap scaledPixmap(const QSize &size, QIcon::Mode mode, QIcon::State, qreal scale) override
    {
        const QSize pixels = size * scale;
        const QString key = QStringLiteral("%1x%2/%3/%4").arg(pixels.width()).arg(pixels.height()).arg(int(mode)).arg(color(mode).name());
        if (const auto it = m_cache.constFind(key); it != m_cache.cend())
            return *it;
        QPixmap pm(pixels);
        pm.fill(Qt::transparent);
        {
            QPainter p(&pm);
            QSvgRenderer renderer(tinted(mode));
            renderer.render(&p, QRectF(QPointF(0, 0), QSizeF(pixels)));
        }
        pm.setDevicePixelRatio(scale);
        if (m_cache.size() > 32)
            m_cache.clear();
        m_cache.insert(key, pm);
        return pm;
    }

    QIconEngine *clone() const override { return new PaletteSvgEngine(m_svg); }

private:
    static QColor color(QIcon::Mode mode)
    {
        const QPalette palette = QGuiApplication::palette();
        switch (mode) {
        case QIcon::Disabled: return palette.color(QPalette::Disabled, QPalette::ButtonText);
        case QIcon::Selected: return palette.color(QPalette::HighlightedText);
        default: return palette.color(QPalette::Active, QPalette::ButtonText);
        }
    }

    QByteArray tinted(QIcon::Mode mode) const
    {
        QByteArray svg = m_svg;
        svg.replace("currentColor", color(mode).name().toLatin1());
        if (mode == QIcon::Disabled && !m_svg.contains("currentColor"))
            svg.replace("<svg ", "<svg opacity=\"0.4\" ");
        return svg;
    }

    QByteArray m_svg;
    QHash<QString, QPixmap> m_cache;
};

} // namespace

QIcon icon(const QString &name)
{
    static QHash<QString, QIcon> cache;
    if (const auto it = cache.constFind(name); it != cache.cend())
        return *it;
    // Compiled-in resources: reading them is a memory copy, not disk I/O.
    QFile file(QStringLiteral(":/icons/") + name + QStringLiteral(".svg"));
    QIcon result;
    if (file.open(QIODevice::ReadOnly))
        result = QIcon(new PaletteSvgEngine(file.readAll()));
    cache.insert(name, result);
    return result;
}

} // namespace docsight::icons
