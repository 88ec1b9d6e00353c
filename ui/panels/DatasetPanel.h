#pragma once

#include "FigureExport.h"
#include "Panel.h"

#include <QJsonObject>

class QComboBox;
class QCustomPlot;
class QLabel;
class QPushButton;
class QTableWidget;

namespace strata {

// A merged batch (strata-cli batch-merge) seen as a dataset: per head the mean score over items with
// its 95 % interval (heatmap and ranked table), the logit lens by layer, the similarity of layers,
// patching averaged over pairs and probe accuracy by layer. Shown for the current session when it is
// a batch session; the items are the session's runs (Sessions panel), each opening as an ordinary run.
class DatasetPanel : public Panel
{
    Q_OBJECT
public:
    enum Figure { HeadScores, Lens, Similarity, Patching, ProbeAccuracy };
    explicit DatasetPanel(AppContext *context);
    void retranslate() override;

    bool showSession(qint64 sessionId); // false (and a hint) when the session is no batch
    bool hasBatch() const { return !m_batch.isEmpty(); }
    QList<Figure> figures() const; // those the batch measured
    void setFigure(Figure f);
    void setModelIndex(int i);
    void setScore(int i); // index into batchHeadScoreNames()
    QCustomPlot *plot() const { return m_plot; }
    QTableWidget *table() const { return m_table; }
    FigureData figureData() const;
    QString status() const;

private:
    QJsonObject aggregate() const;
    void rebuildChoices();
    void draw();
    void drawHeatmap(int rows, int cols, const QJsonArray &values, int stride, int offset, const QStringList &rowLabels, const QStringList &colLabels,
                     const QString &scaleLabel, bool diverging);
    void fillHeadTable();
    static QString figureName(Figure f);

    QJsonObject m_batch;
    QLabel *m_title, *m_status;
    QComboBox *m_figure, *m_model, *m_score;
    QLabel *m_modelLabel, *m_scoreLabel;
    QPushButton *m_export;
    QCustomPlot *m_plot;
    QTableWidget *m_table;
    FigureData m_data;
};

} // namespace strata
