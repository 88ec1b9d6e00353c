#include "Scatter3D.h"

#include <QMouseEvent>
#include <QPainter>
#include <QToolTip>
#include <QVector3D>
#include <QWheelEvent>

#include <algorithm>
#include <cmath>
#include <numeric>

namespace strata {

Scatter3D::Scatter3D(QWidget *parent) : QWidget(parent)
{
    setMouseTracking(true);
    setMinimumSize(200, 160);
    setAutoFillBackground(true);
    QPalette p = palette();
    p.setColor(QPalette::Window, Qt::white);
    setPalette(p);
}

void Scatter3D::setPoints(const std::vector<double> &xyz, const std::vector<QColor> &colours, const QStringList &labels)
{
    m_xyz = xyz;
    m_colours = colours;
    m_labels = labels;
    m_path.clear();
    // Centre on the mean and scale the largest spread to the unit cube.
    const size_t n = xyz.size() / 3;
    double maxAbs = 1e-12;
    for (int a = 0; a < 3; ++a) {
        double s = 0;
        for (size_t i = 0; i < n; ++i)
            s += xyz[i * 3 + size_t(a)];
        m_centre[a] = n ? s / double(n) : 0;
    }
    for (size_t i = 0; i < n; ++i)
        for (int a = 0; a < 3; ++a)
            maxAbs = std::max(maxAbs, std::abs(xyz[i * 3 + size_t(a)] - m_centre[a]));
    m_scale = 1.0 / maxAbs;
    update();
}

void Scatter3D::setPath(const std::vector<double> &xyz, const QColor &colour)
{
    m_path = xyz;
    m_pathColour = colour;
    update();
}

void Scatter3D::setAxisTitles(const QStringList &titles)
{
    m_axes = titles;
    update();
}

void Scatter3D::setRotation(double yaw, double pitch)
{
    m_yaw = yaw;
    m_pitch = std::clamp(pitch, -1.5, 1.5);
    update();
}

QVector3D Scatter3D::project(double x, double y, double z) const
{
    x = (x - m_centre[0]) * m_scale;
    y = (y - m_centre[1]) * m_scale;
    z = (z - m_centre[2]) * m_scale;
    // Yaw about the vertical axis, then pitch about the horizontal one.
    const double cy = std::cos(m_yaw), sy = std::sin(m_yaw), cp = std::cos(m_pitch), sp = std::sin(m_pitch);
    const double x1 = cy * x + sy * z, z1 = -sy * x + cy * z;
    const double y1 = cp * y - sp * z1, z2 = sp * y + cp * z1;
    const double r = 0.38 * std::min(width(), height()) * m_zoom;
    return QVector3D(float(width() / 2.0 + r * x1), float(height() / 2.0 - r * y1), float(z2));
}

QPointF Scatter3D::screenPosition(int i) const
{
    const QVector3D p = project(m_xyz[size_t(i) * 3], m_xyz[size_t(i) * 3 + 1], m_xyz[size_t(i) * 3 + 2]);
    return {p.x(), p.y()};
}

void Scatter3D::paintEvent(QPaintEvent *)
{
    QPainter p(this);
    p.setRenderHint(QPainter::Antialiasing);
    // Axes through the centre, one unit long each way.
    const QColor axisColour(150, 150, 150);
    for (int a = 0; a < 3; ++a) {
        double lo[3] = {m_centre[0], m_centre[1], m_centre[2]}, hi[3] = {m_centre[0], m_centre[1], m_centre[2]};
        lo[a] -= 1.0 / m_scale;
        hi[a] += 1.0 / m_scale;
        const QVector3D s = project(lo[0], lo[1], lo[2]), e = project(hi[0], hi[1], hi[2]);
        p.setPen(QPen(axisColour, 1, Qt::DashLine));
        p.drawLine(QPointF(s.x(), s.y()), QPointF(e.x(), e.y()));
        p.setPen(QColor(90, 90, 90));
        p.drawText(QPointF(e.x() + 4, e.y()), m_axes.value(a));
    }
    // Points far to near, so nearer ones cover farther ones.
    const int n = pointCount();
    std::vector<int> order(static_cast<size_t>(n));
    std::iota(order.begin(), order.end(), 0);
    std::vector<QVector3D> proj(static_cast<size_t>(n));
    for (int i = 0; i < n; ++i)
        proj[size_t(i)] = project(m_xyz[size_t(i) * 3], m_xyz[size_t(i) * 3 + 1], m_xyz[size_t(i) * 3 + 2]);
    std::sort(order.begin(), order.end(), [&](int a, int b) { return proj[size_t(a)].z() < proj[size_t(b)].z(); });
    if (m_path.size() >= 6) {
        p.setPen(QPen(m_pathColour, 1.5, Qt::DashLine));
        for (size_t i = 3; i + 2 < m_path.size(); i += 3) {
            const QVector3D a = project(m_path[i - 3], m_path[i - 2], m_path[i - 1]), b = project(m_path[i], m_path[i + 1], m_path[i + 2]);
            p.drawLine(QPointF(a.x(), a.y()), QPointF(b.x(), b.y()));
        }
    }
    const bool labels = n <= 60;
    for (int i : order) {
        const QVector3D q = proj[size_t(i)];
        const QColor c = size_t(i) < m_colours.size() ? m_colours[size_t(i)] : QColor(0, 114, 178);
        const double r = 3.5 + 1.5 * (q.z() + 1.0); // nearer points a little larger
        p.setPen(QPen(c.darker(130), 1));
        p.setBrush(c);
        p.drawEllipse(QPointF(q.x(), q.y()), r, r);
        if (labels) {
            p.setPen(QColor(70, 70, 70));
            p.drawText(QPointF(q.x() + r + 2, q.y() - 2), m_labels.value(i));
        }
    }
}

void Scatter3D::mousePressEvent(QMouseEvent *e)
{
    m_last = e->position().toPoint();
    m_dragging = true;
}

void Scatter3D::mouseMoveEvent(QMouseEvent *e)
{
    const QPoint pos = e->position().toPoint();
    if ((e->buttons() & Qt::LeftButton) && m_dragging) {
        setRotation(m_yaw + 0.01 * (pos.x() - m_last.x()), m_pitch + 0.01 * (pos.y() - m_last.y()));
        m_last = pos;
        return;
    }
    int best = -1;
    double bestD = 10 * 10;
    for (int i = 0; i < pointCount(); ++i) {
        const QPointF q = screenPosition(i);
        const double d = (q.x() - pos.x()) * (q.x() - pos.x()) + (q.y() - pos.y()) * (q.y() - pos.y());
        if (d < bestD) {
            bestD = d;
            best = i;
        }
    }
    if (best >= 0)
        QToolTip::showText(e->globalPosition().toPoint(), m_labels.value(best), this);
    else
        QToolTip::hideText();
}

void Scatter3D::mouseDoubleClickEvent(QMouseEvent *)
{
    m_zoom = 1;
    setRotation(0.7, 0.35);
}

void Scatter3D::wheelEvent(QWheelEvent *e)
{
    m_zoom = std::clamp(m_zoom * std::pow(1.1, e->angleDelta().y() / 120.0), 0.2, 10.0);
    update();
}

} // namespace strata
