#include "NextTokenPanel.h"

#include "AppContext.h"
#include "tokenize/Tokenizer.h"

#include <QHeaderView>
#include <QLabel>
#include <QTableWidget>
#include <QVBoxLayout>

#include <algorithm>
#include <cmath>

namespace strata {

NextTokenPanel::NextTokenPanel(AppContext *context) : Panel(context)
{
    auto *v = new QVBoxLayout(this);
    m_header = new QLabel;
    m_header->setWordWrap(true);
    v->addWidget(m_header);
    m_table = new QTableWidget(0, 3);
    m_table->setObjectName(QStringLiteral("nextTokenTable"));
    m_table->verticalHeader()->hide();
    m_table->horizontalHeader()->setStretchLastSection(true);
    m_table->setEditTriggers(QAbstractItemView::NoEditTriggers);
    // At least the top three predictions stay readable however the docks are arranged (two rows were;
    // four push the window past 1000 px, tst_windowfit).
    m_table->verticalHeader()->setDefaultSectionSize(m_table->fontMetrics().height() + 6);
    m_table->setMinimumHeight(m_table->horizontalHeader()->sizeHint().height() + 3 * m_table->verticalHeader()->defaultSectionSize() +
                              2 * m_table->frameWidth() + 2);
    v->addWidget(m_table, 1);
    connect(context, &AppContext::traceChanged, this, &NextTokenPanel::refresh);
    connect(context, &AppContext::modelChanged, this, &NextTokenPanel::refresh); // the run's own model may have been loaded
    connect(context, &AppContext::selectionChanged, this, &NextTokenPanel::refresh);
    retranslate();
}

void NextTokenPanel::retranslate()
{
    m_table->setHorizontalHeaderLabels({tr("Token"), tr("Id"), tr("Probability")});
    refresh();
}

QString NextTokenPanel::headerText() const
{
    return m_header->text();
}

void NextTokenPanel::refresh()
{
    const TracePtr t = context()->trace();
    const auto model = context()->model();
    m_table->setRowCount(0);
    if (!t || t->logits.isEmpty() || !model) {
        m_header->setText(tr("Run a prompt to see the model's next-token predictions."));
        return;
    }
    if (!context()->modelMatchesTrace()) {
        m_header->setText(tr("This run was made with %1; load that model to see its predictions in its own vocabulary.").arg(t->model.name));
        return;
    }
    const int T = t->tokenCount();
    const int64_t V = t->logits.dim(1);
    int pos = context()->token() < 0 ? T - 1 : context()->token();
    int row = pos;
    if (t->logits.dim(0) == 1) { // only the last position was kept
        pos = T - 1;
        row = 0;
    }
    std::vector<double> p(static_cast<size_t>(V));
    double mx = -1e300;
    for (int64_t v = 0; v < V; ++v)
        mx = std::max(mx, double(t->logits.floatAt(int64_t(row) * V + v)));
    double sum = 0;
    for (int64_t v = 0; v < V; ++v)
        sum += (p[size_t(v)] = std::exp(double(t->logits.floatAt(int64_t(row) * V + v)) - mx));
    std::vector<int64_t> order(static_cast<size_t>(V));
    for (int64_t v = 0; v < V; ++v)
        order[size_t(v)] = v;
    const int k = int(std::min<int64_t>(10, V));
    std::partial_sort(order.begin(), order.begin() + k, order.end(), [&](int64_t a, int64_t b) { return p[size_t(a)] > p[size_t(b)]; });
    m_header->setText(tr("After token #%1 '%2', the model predicts:").arg(pos).arg(t->tokenStrings.value(pos)));
    m_table->setRowCount(k);
    for (int i = 0; i < k; ++i) {
        const int64_t id = order[size_t(i)];
        m_table->setItem(i, 0, new QTableWidgetItem(model->tokenizer().displayString(id)));
        m_table->setItem(i, 1, new QTableWidgetItem(QString::number(id)));
        m_table->setItem(i, 2, new QTableWidgetItem(QStringLiteral("%1 %").arg(100.0 * p[size_t(id)] / sum, 0, 'g', 3)));
    }
}

} // namespace strata
