#include "TrainingCurves.h"

#include "FigureExport.h"
#include "PlotStyle.h"

#include <QDialogButtonBox>
#include <QFileInfo>
#include <QPushButton>
#include <QVBoxLayout>

#include <qcustomplot.h>

namespace strata {

namespace {
QCPGraph *addCurve(QCPAxis *x, QCPAxis *y, const std::vector<TrainLogRow> &rows, double TrainLogRow::*field, const QString &name, const QColor &colour,
                   Qt::PenStyle style = Qt::SolidLine)
{
    QCPGraph *g = x->parentPlot()->addGraph(x, y);
    QVector<double> xs, ys;
    for (const TrainLogRow &r : rows) {
        xs << r.step;
        ys << r.*field;
    }
    g->setData(xs, ys, true);
    g->setName(name);
    g->setPen(QPen(colour, 2, style));
    g->setScatterStyle(QCPScatterStyle(QCPScatterStyle::ssCircle, 4));
    return g;
}
} // namespace

QCustomPlot *TrainingCurves::makePlot(const std::vector<TrainLogRow> &rows, const QString &title, QWidget *parent)
{
    auto *plot = new QCustomPlot(parent);
    plot->setObjectName(QStringLiteral("trainingCurves"));
    plot->plotLayout()->clear();
    auto *heading = new QCPTextElement(plot, title, QFont(plot->font().family(), plot->font().pointSize() + 1, QFont::Bold));
    plot->plotLayout()->addElement(0, 0, heading);
    auto *losses = new QCPAxisRect(plot);
    auto *scores = new QCPAxisRect(plot);
    plot->plotLayout()->addElement(1, 0, losses);
    plot->plotLayout()->addElement(2, 0, scores);
    auto *group = new QCPMarginGroup(plot);
    losses->setMarginGroup(QCP::msLeft | QCP::msRight, group);
    scores->setMarginGroup(QCP::msLeft | QCP::msRight, group);
    losses->axis(QCPAxis::atLeft)->setLabel(QObject::tr("loss (nats per token)"));
    scores->axis(QCPAxis::atLeft)->setLabel(QObject::tr("best head score"));
    scores->axis(QCPAxis::atBottom)->setLabel(QObject::tr("training step"));
    scores->axis(QCPAxis::atRight)->setVisible(true);
    scores->axis(QCPAxis::atRight)->setLabel(QObject::tr("copy-loss drop (nats)"));
    addCurve(losses->axis(QCPAxis::atBottom), losses->axis(QCPAxis::atLeft), rows, &TrainLogRow::trainLoss, QObject::tr("train loss"),
             QColor(0x44, 0x44, 0x44));
    addCurve(losses->axis(QCPAxis::atBottom), losses->axis(QCPAxis::atLeft), rows, &TrainLogRow::valLoss, QObject::tr("validation loss"),
             QColor(0x1f, 0x77, 0xb4));
    addCurve(scores->axis(QCPAxis::atBottom), scores->axis(QCPAxis::atLeft), rows, &TrainLogRow::bestPrevious, QObject::tr("previous-token"),
             PlotStyle::roleColor(HeadRole::PreviousToken));
    addCurve(scores->axis(QCPAxis::atBottom), scores->axis(QCPAxis::atLeft), rows, &TrainLogRow::bestInduction, QObject::tr("induction"),
             PlotStyle::roleColor(HeadRole::Induction));
    addCurve(scores->axis(QCPAxis::atBottom), scores->axis(QCPAxis::atRight), rows, &TrainLogRow::inductionLossDrop, QObject::tr("copy-loss drop"),
             QColor(0x9e, 0x9e, 0x9e), Qt::DashLine);
    for (QCPAxisRect *r : {losses, scores}) {
        r->axis(QCPAxis::atBottom)->rescale();
        r->axis(QCPAxis::atBottom)->scaleRange(1.03);
    }
    losses->axis(QCPAxis::atLeft)->rescale();
    losses->axis(QCPAxis::atLeft)->scaleRange(1.1);
    scores->axis(QCPAxis::atLeft)->setRange(0, 1);
    scores->axis(QCPAxis::atRight)->rescale();
    const QCPRange drop = scores->axis(QCPAxis::atRight)->range();
    scores->axis(QCPAxis::atRight)->setRange(std::min(0.0, drop.lower), std::max(1.0, drop.upper * 1.1));
    // One legend per axis rect, in the corner the curves leave free (losses fall, scores rise).
    for (QCPAxisRect *r : {losses, scores}) {
        auto *legend = new QCPLegend;
        r->insetLayout()->addElement(legend, r == losses ? Qt::AlignTop | Qt::AlignRight : Qt::AlignTop | Qt::AlignLeft);
        legend->setLayer(QStringLiteral("legend"));
        legend->setBrush(QColor(255, 255, 255, 220));
        for (int i = 0; i < plot->graphCount(); ++i)
            if (plot->graph(i)->keyAxis()->axisRect() == r)
                plot->graph(i)->addToLegend(legend);
    }
    plot->setMinimumSize(480, 360);
    plot->replot();
    return plot;
}

TrainingCurvesDialog::TrainingCurvesDialog(const QString &csvPath, const QString &modelName, QWidget *parent) : QDialog(parent)
{
    const std::vector<TrainLogRow> rows = readTrainLogCsv(csvPath);
    setWindowTitle(tr("Training curves: %1").arg(modelName));
    auto *v = new QVBoxLayout(this);
    m_plot = TrainingCurves::makePlot(rows, tr("How %1 learned (%2 steps)").arg(modelName).arg(rows.empty() ? 0 : rows.back().step), this);
    v->addWidget(m_plot, 1);
    auto *buttons = new QDialogButtonBox(QDialogButtonBox::Close);
    QPushButton *exportButton = buttons->addButton(tr("Export…"), QDialogButtonBox::ActionRole);
    v->addWidget(buttons);
    connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
    FigureData data;
    data.title = windowTitle();
    data.columnLabels = {QStringLiteral("step"),           QStringLiteral("train_loss"),
                         QStringLiteral("val_loss"),       QStringLiteral("best_previous_token"),
                         QStringLiteral("best_induction"), QStringLiteral("induction_loss_drop")};
    for (const TrainLogRow &r : rows) {
        data.rowLabels << QString::number(r.step);
        data.values.push_back({double(r.step), r.trainLoss, r.valLoss, r.bestPrevious, r.bestInduction, r.inductionLossDrop});
    }
    connect(exportButton, &QPushButton::clicked, this,
            [this, data, modelName] { FigureExport::exportInteractively(this, m_plot, data, QStringLiteral("training-curves-%1").arg(modelName)); });
    resize(760, 560);
}

} // namespace strata
