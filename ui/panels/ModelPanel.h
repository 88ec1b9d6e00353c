#pragma once

#include "Panel.h"

#include "model/ModelInfo.h"

class QFormLayout;
class QLabel;
class QListWidget;
class QPlainTextEdit;
class QPushButton;
class QGroupBox;

class QComboBox;

namespace strata {

// Model manager: the bundled demo, models in the local Hugging Face cache, recent models; open
// dialogs; the card of the loaded model with the memory a full trace will need.
class ModelPanel : public Panel
{
    Q_OBJECT
public:
    explicit ModelPanel(AppContext *context);
    void retranslate() override;
    void refreshList();

private:
    void showCard();
    static QString computeText(const ModelInfo &info);
    void showTrainingCurves();
    QString trainingLogPath() const; // training-log.csv beside the loaded model's weights, or empty
    void loadSelected();
    void showEstimate();
    QListWidget *m_list;
    QPushButton *m_load, *m_openFolder, *m_openFile, *m_unload, *m_refresh;
    QLabel *m_computeLabel = nullptr;
    QComboBox *m_compute = nullptr;
    QGroupBox *m_cardBox;
    QPushButton *m_curves;
    QFormLayout *m_card;
    QLabel *m_status, *m_estimate;
    QPlainTextEdit *m_license;
};

} // namespace strata
