#pragma once

#include "analysis/HeadMetrics.h"

#include <QAbstractTableModel>

namespace strata {

// Every head's scores as a table (one row per head) for the head atlas; sortable through a proxy
// (Qt::UserRole gives the raw number, NaN sorted last).
class HeadScoresModel : public QAbstractTableModel
{
    Q_OBJECT
public:
    enum Column {
        Layer,
        Head,
        Role,
        Previous,
        Current,
        Local,
        First,
        Duplicate,
        Induction,
        Distance,
        Entropy,
        Stripe,
        Semantic,
        BlockSparse,
        Syntactic,
        ColumnCount
    };

    explicit HeadScoresModel(QObject *parent = nullptr);
    void setScores(std::vector<HeadScores> scores, const RoleThresholds &thresholds);
    const std::vector<HeadScores> &scores() const { return m_scores; }
    const HeadScores *scoreFor(int layer, int head) const;
    HeadRole roleOf(int row) const;

    int rowCount(const QModelIndex &parent = {}) const override;
    int columnCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;

private:
    std::vector<HeadScores> m_scores;
    std::vector<HeadRole> m_roles;
};

} // namespace strata
