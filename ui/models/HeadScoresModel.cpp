#include "HeadScoresModel.h"

#include <cmath>

namespace strata {

HeadScoresModel::HeadScoresModel(QObject *parent) : QAbstractTableModel(parent) {}

void HeadScoresModel::setScores(std::vector<HeadScores> scores, const RoleThresholds &thresholds)
{
    beginResetModel();
    m_scores = std::move(scores);
    m_roles.clear();
    for (const HeadScores &s : m_scores)
        m_roles.push_back(HeadMetrics::dominantRole(s, thresholds));
    endResetModel();
}

const HeadScores *HeadScoresModel::scoreFor(int layer, int head) const
{
    for (const HeadScores &s : m_scores)
        if (s.layer == layer && s.head == head)
            return &s;
    return nullptr;
}

HeadRole HeadScoresModel::roleOf(int row) const
{
    return m_roles.at(size_t(row));
}

int HeadScoresModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : int(m_scores.size());
}
int HeadScoresModel::columnCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : ColumnCount;
}

QVariant HeadScoresModel::data(const QModelIndex &index, int role) const
{
    if (!index.isValid() || index.row() >= int(m_scores.size()))
        return QVariant();
    const HeadScores &s = m_scores[size_t(index.row())];
    double v = 0;
    switch (index.column()) {
    case Layer:
        return role == Qt::DisplayRole || role == Qt::UserRole ? QVariant(s.layer) : QVariant();
    case Head:
        return role == Qt::DisplayRole || role == Qt::UserRole ? QVariant(s.head) : QVariant();
    case Role:
        if (role == Qt::DisplayRole)
            return HeadMetrics::roleName(m_roles[size_t(index.row())]);
        if (role == Qt::UserRole)
            return int(m_roles[size_t(index.row())]);
        return QVariant();
    case Previous:
        v = s.previousToken;
        break;
    case Current:
        v = s.currentToken;
        break;
    case Local:
        v = s.localWindow;
        break;
    case First:
        v = s.firstToken;
        break;
    case Duplicate:
        v = s.duplicateToken;
        break;
    case Induction:
        v = s.induction;
        break;
    case Distance:
        v = s.meanDistance;
        break;
    case Entropy:
        v = s.normalizedEntropy;
        break;
    case Stripe:
        v = s.stripe;
        break;
    case Semantic:
        v = s.semantic;
        break;
    case BlockSparse:
        v = s.blockSparse;
        break;
    case Syntactic:
        v = s.syntactic;
        if (role == Qt::DisplayRole && !std::isnan(v))
            return QStringLiteral("%1 %2").arg(v, 0, 'f', 2).arg(s.syntacticRelation);
        break;
    default:
        return QVariant();
    }
    if (role == Qt::UserRole)
        return std::isnan(v) ? -1.0 : v;
    if (role == Qt::DisplayRole)
        return std::isnan(v) ? QStringLiteral("–") : QString::number(v, 'f', index.column() == Distance ? 1 : 2);
    if (role == Qt::TextAlignmentRole)
        return int(Qt::AlignRight | Qt::AlignVCenter);
    return QVariant();
}

QVariant HeadScoresModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || (role != Qt::DisplayRole && role != Qt::ToolTipRole))
        return QVariant();
    static const char *names[] = {QT_TR_NOOP("Layer"),   QT_TR_NOOP("Head"),   QT_TR_NOOP("Role"),     QT_TR_NOOP("Prev"),      QT_TR_NOOP("Current"),
                                  QT_TR_NOOP("Local"),   QT_TR_NOOP("BOS"),    QT_TR_NOOP("Dup"),      QT_TR_NOOP("Induction"), QT_TR_NOOP("Distance"),
                                  QT_TR_NOOP("Entropy"), QT_TR_NOOP("Stripe"), QT_TR_NOOP("Semantic"), QT_TR_NOOP("Block"),     QT_TR_NOOP("Syntax")};
    static const char *tips[] = {"",
                                 "",
                                 "",
                                 QT_TR_NOOP("Mean attention to the previous token"),
                                 QT_TR_NOOP("Mean attention to the token itself"),
                                 QT_TR_NOOP("Mean attention within the last 3 tokens"),
                                 QT_TR_NOOP("Mean attention to the first position (attention sink)"),
                                 QT_TR_NOOP("Mean attention to earlier copies of the same token"),
                                 QT_TR_NOOP("Mean attention from the second copy of a repeated random sequence to the token after the earlier occurrence"),
                                 QT_TR_NOOP("Mean distance (in tokens) between a query and what it attends to"),
                                 QT_TR_NOOP("Attention entropy divided by its maximum (0 sharp, 1 uniform)"),
                                 QT_TR_NOOP("Largest mean attention any single later key receives"),
                                 QT_TR_NOOP("How much more similar (cosine of the layer's input vectors) the attended keys are to the query than keys at "
                                            "the same distances on average"),
                                 QT_TR_NOOP("How much more attention stays inside the query's own sentence than the head's distances alone would keep "
                                            "there"),
                                 QT_TR_NOOP("The dependency relation this head tracks best (treebank chosen in the atlas), as accuracy minus the best "
                                            "fixed-offset baseline")};
    if (section < 0 || section >= ColumnCount)
        return QVariant();
    return role == Qt::DisplayRole ? tr(names[section]) : (tips[section][0] ? tr(tips[section]) : QString());
}

} // namespace strata
