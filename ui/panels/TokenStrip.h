#pragma once

#include "model/Trace.h"

#include <QWidget>

namespace strata {

// The prompt's tokens as chips with visible boundaries; hover shows id, bytes and display string;
// click selects the token everywhere. Wraps to the widget's width.
class TokenStrip : public QWidget
{
    Q_OBJECT
public:
    explicit TokenStrip(QWidget *parent = nullptr);
    void setTokens(const QStringList &display, const std::vector<TokenPiece> &pieces, const QStringList &tooltips);
    void setSelected(int index);
    int selected() const { return m_selected; }
    int count() const { return int(m_display.size()); }
    QRect chipRect(int index) const;
    QSize sizeHint() const override;
    bool hasHeightForWidth() const override { return true; }
    int heightForWidth(int w) const override;

Q_SIGNALS:
    void tokenClicked(int index);

protected:
    void paintEvent(QPaintEvent *) override;
    void mousePressEvent(QMouseEvent *) override;
    bool event(QEvent *e) override;
    void resizeEvent(QResizeEvent *) override;

private:
    void layoutChips(int width);
    QStringList m_display, m_tooltips;
    std::vector<QRect> m_rects;
    int m_selected = -1;
};

} // namespace strata
