#pragma once

#include "FigureExport.h"
#include "Panel.h"

#include <QImage>

class QLabel;
class QPushButton;

namespace strata {

// Every layer x head's attention pattern as a small multiple; click one to focus it in the heatmap.
class HeadThumbnails : public QWidget
{
    Q_OBJECT
public:
    explicit HeadThumbnails(AppContext *context, QWidget *parent = nullptr);
    void rebuild();
    QRect cellRect(int layer, int head) const;
    int layers() const { return m_layers; }
    int heads() const { return m_heads; }

protected:
    void paintEvent(QPaintEvent *) override;
    void mousePressEvent(QMouseEvent *) override;

private:
    AppContext *m_context;
    std::vector<QImage> m_images; // layer * heads + head
    int m_layers = 0, m_heads = 0;
};

class AttentionOverviewPanel : public Panel
{
    Q_OBJECT
public:
    explicit AttentionOverviewPanel(AppContext *context);
    void retranslate() override;
    HeadThumbnails *thumbnails() const { return m_thumbs; }

private:
    HeadThumbnails *m_thumbs;
    QLabel *m_hint;
    QPushButton *m_export;
};

} // namespace strata
