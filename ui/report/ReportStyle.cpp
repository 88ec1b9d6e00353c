#include "ReportStyle.h"

namespace strata::ReportStyle {

QColor roleColor(HeadRole role)
{
    switch (role) {
    case HeadRole::Sink:
        return QColor(90, 90, 90);
    case HeadRole::PreviousToken:
        return QColor(0, 114, 178);
    case HeadRole::Induction:
        return QColor(213, 94, 0);
    case HeadRole::DuplicateToken:
        return QColor(204, 121, 167);
    case HeadRole::CurrentToken:
        return QColor(86, 180, 233);
    case HeadRole::Local:
        return QColor(0, 158, 115);
    case HeadRole::Stripe:
        return QColor(230, 159, 0);
    case HeadRole::LongRange:
        return QColor(240, 228, 66);
    case HeadRole::Semantic:
        return QColor(148, 103, 189);
    case HeadRole::BlockSparse:
        return QColor(140, 86, 75);
    case HeadRole::Syntactic:
        return QColor(23, 190, 207);
    case HeadRole::Diffuse:
        return QColor(215, 215, 215);
    }
    return Qt::white;
}

QColor seriesColor(int index)
{
    static const QRgb okabeIto[] = {0x0072B2, 0xD55E00, 0x009E73, 0xCC79A7, 0xE69F00, 0x56B4E9, 0xF0E442, 0x000000};
    return QColor(okabeIto[((index % 8) + 8) % 8]);
}

} // namespace strata::ReportStyle
