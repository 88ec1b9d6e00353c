#pragma once

#include "Panel.h"

class QLabel;
class QTableWidget;

namespace strata {

// The model's top-10 next tokens with probabilities at the selected position.
class NextTokenPanel : public Panel
{
    Q_OBJECT
public:
    explicit NextTokenPanel(AppContext *context);
    void retranslate() override;
    QTableWidget *table() const { return m_table; }
    QString headerText() const;

private:
    void refresh();
    QLabel *m_header;
    QTableWidget *m_table;
};

} // namespace strata
