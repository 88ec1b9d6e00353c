#pragma once

#include "FigureExport.h"
#include "Panel.h"
#include "analysis/HeadMetrics.h"
#include "analysis/Patching.h"
#include "analysis/Steering.h"

#include <optional>

class QComboBox;
class QCustomPlot;
class QDoubleSpinBox;
class QLabel;
class QLineEdit;
class QPlainTextEdit;
class QPushButton;
class QSpinBox;
class QTabWidget;
class QTextEdit;

namespace strata {

// Removing and pushing: ablate heads (zero or mean) and see each token's loss and prediction before
// and after in one figure, on the current run's prompt or on a repeated random sequence (where an
// induction head's work is the second copy's lower loss); steer generation with the mean difference of
// two sentence sets and read the continuations with and without side by side. The head atlas sends
// heads here (AppContext::ablationRequested).
class AblationPanel : public Panel
{
    Q_OBJECT
public:
    explicit AblationPanel(AppContext *context);
    void retranslate() override;

    // Ablation
    void setHeads(const QString &heads); // "1.3,0.2"
    void setMean(bool mean);
    void setRepeatedSequence(bool on); // random tokens written twice instead of the current prompt
    void chooseRole(HeadRole role);    // fills the heads field with the current run's heads of that role (worker)
    QString heads() const;
    void ablate(); // on the worker; ablated(ok) follows
    bool hasAblation() const { return m_ablation.has_value(); }
    const AblationResult &ablation() const { return *m_ablation; }
    double copyLossDropBefore() const { return m_dropBefore; } // repeated sequence: first copy - second copy, nats
    double copyLossDropAfter() const { return m_dropAfter; }
    QCustomPlot *lossPlot() const { return m_lossPlot; }
    FigureData ablationData() const;

    // Steering
    void setSteeringSets(const QStringList &positive, const QStringList &negative);
    void setSteering(int layer, double strength, int tokens);
    void setSteeringPrompt(const QString &prompt);
    void steer(); // on the worker; steered(ok) follows
    bool hasSteering() const { return m_steering.has_value(); }
    const SteeringResult &steering() const { return *m_steering; }
    QString status() const;

Q_SIGNALS:
    void ablated(bool ok);
    void roleHeadsReady(); // the heads of a chosen role are in the heads field
    void steered(bool ok);

private:
    void drawAblation();
    void showSteering();
    void reloadSets();

    QTabWidget *m_tabs;
    // ablation
    QLabel *m_headsLabel, *m_modeLabel, *m_onLabel, *m_status;
    QLineEdit *m_heads;
    QComboBox *m_role, *m_mode, *m_on;
    QPushButton *m_ablate, *m_exportLoss;
    QCustomPlot *m_lossPlot;
    std::optional<AblationResult> m_ablation;
    int m_copyStart = -1, m_copyLength = 0;
    double m_dropBefore = 0, m_dropAfter = 0;
    // steering
    QLabel *m_posLabel, *m_negLabel, *m_setsLabel, *m_steerPromptLabel, *m_layerLabel, *m_strengthLabel, *m_tokensLabel, *m_steerStatus;
    QPlainTextEdit *m_positive, *m_negative;
    QComboBox *m_sets;
    QLineEdit *m_steerPrompt;
    QSpinBox *m_layer, *m_tokens;
    QDoubleSpinBox *m_strength;
    QPushButton *m_steer;
    QTextEdit *m_without, *m_with;
    std::optional<SteeringResult> m_steering;
};

} // namespace strata
