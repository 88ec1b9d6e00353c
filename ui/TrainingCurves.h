#pragma once

#include "train/Gpt2Trainer.h"

#include <QDialog>

#include <vector>

class QCustomPlot;

namespace strata {

// The training curves of a model Strata trained (training-log.csv beside its weights): losses on the
// left axis, the best previous-token and induction scores and the copy-loss drop against steps, so
// the phase change in which the induction head forms is visible. Used by the Model panel's
// "Training curves…" dialog and by `strata --training-curves LOG.csv OUT.png` (docs/DEMO_MODEL.md).
namespace TrainingCurves {
// Two stacked axes in one plot: losses (nats) above, head scores (0-1) below, copy-loss drop on the
// lower axis's right-hand scale. The caller owns the plot.
QCustomPlot *makePlot(const std::vector<TrainLogRow> &rows, const QString &title, QWidget *parent = nullptr);
} // namespace TrainingCurves

class TrainingCurvesDialog : public QDialog
{
    Q_OBJECT
public:
    // Throws Error when the log cannot be read.
    TrainingCurvesDialog(const QString &csvPath, const QString &modelName, QWidget *parent = nullptr);

private:
    QCustomPlot *m_plot;
};

} // namespace strata
