#pragma once

#include <QColor>
#include <QStringList>
#include <QWidget>

#include <vector>

namespace strata {

// A small 3-D scatter plot for PCA views: points with colours and labels, an optional path, three
// labelled axes. Drag to rotate, wheel to zoom, double-click to reset; hover shows a point's label.
// Orthographic projection painted with QPainter (no OpenGL), so it works offscreen and exports like
// any widget.
class Scatter3D : public QWidget
{
    Q_OBJECT
public:
    explicit Scatter3D(QWidget *parent = nullptr);
    void setPoints(const std::vector<double> &xyz, const std::vector<QColor> &colours, const QStringList &labels);
    void setPath(const std::vector<double> &xyz, const QColor &colour);
    void setAxisTitles(const QStringList &titles);
    void setRotation(double yaw, double pitch);
    int pointCount() const { return int(m_xyz.size() / 3); }
    // Where point i lands on screen (for tests and hover).
    QPointF screenPosition(int i) const;

protected:
    void paintEvent(QPaintEvent *) override;
    void mousePressEvent(QMouseEvent *e) override;
    void mouseMoveEvent(QMouseEvent *e) override;
    void mouseDoubleClickEvent(QMouseEvent *e) override;
    void wheelEvent(QWheelEvent *e) override;

private:
    // Rotated, scaled coordinates of a data point: x, y on screen (pixels), depth.
    QVector3D project(double x, double y, double z) const;

    std::vector<double> m_xyz, m_path;
    std::vector<QColor> m_colours;
    QColor m_pathColour;
    QStringList m_labels, m_axes{QStringLiteral("PC1"), QStringLiteral("PC2"), QStringLiteral("PC3")};
    double m_centre[3] = {0, 0, 0};
    double m_scale = 1;
    double m_yaw = 0.7, m_pitch = 0.35, m_zoom = 1;
    QPoint m_last;
    bool m_dragging = false;
};

} // namespace strata
