#include "AboutDialog.h"

#include "model/ComputeRuntime.h"
#include "model/PluginHost.h"

#include <QCoreApplication>
#include <QDialogButtonBox>
#include <QHeaderView>
#include <QLabel>
#include <QLocale>
#include <QTableWidget>
#include <QVBoxLayout>

namespace strata {

QString AboutDialog::versionReport()
{
    const QString bf16 = ComputeRuntime::nativeBf16().isEmpty()
                             ? QObject::tr("emulated (no AMX-BF16 or AVX512-BF16 on this CPU): models load as f32 unless bf16 is asked for")
                             : QObject::tr("native (%1, through oneDNN): used by models of %2 parameters or more, or when asked for")
                                   .arg(ComputeRuntime::nativeBf16(), QLocale().toString(ComputeRuntime::kAutoBf16Parameters));
    return QObject::tr("Strata %1\nQt %2\nlibtorch %3\nBLAS: %4\nThreads: %5\nCompute: %6 requested; bf16 %7")
        .arg(QCoreApplication::applicationVersion(), QString::fromLatin1(qVersion()), ComputeRuntime::torchVersion(), ComputeRuntime::blasDescription())
        .arg(ComputeRuntime::threadCount())
        .arg(ComputeRuntime::computeRequest(), bf16);
}

AboutDialog::AboutDialog(QWidget *parent) : QDialog(parent)
{
    setWindowTitle(tr("About Strata"));
    auto *v = new QVBoxLayout(this);
    auto *title = new QLabel(tr("<h2>Strata</h2><p>See how a GPT-style model builds meaning layer by layer.</p>"));
    v->addWidget(title);
    auto *report = new QLabel(versionReport());
    report->setObjectName(QStringLiteral("versionReport"));
    report->setTextInteractionFlags(Qt::TextSelectableByMouse);
    report->setWordWrap(true);
    v->addWidget(report);
    auto *buttons = new QDialogButtonBox(QDialogButtonBox::Close);
    connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
    v->addWidget(buttons);
    resize(560, 300);
}

PluginsDialog::PluginsDialog(QWidget *parent) : QDialog(parent)
{
    setWindowTitle(tr("Plugins"));
    auto *v = new QVBoxLayout(this);
    const auto &records = PluginHost::instance().records();
    auto *table = new QTableWidget(int(records.size()), 5);
    table->setObjectName(QStringLiteral("pluginTable"));
    table->setHorizontalHeaderLabels({tr("Family"), tr("Version"), tr("State"), tr("File"), tr("Message")});
    table->horizontalHeader()->setStretchLastSection(true);
    table->setEditTriggers(QAbstractItemView::NoEditTriggers);
    for (int r = 0; r < records.size(); ++r) {
        const PluginRecord &p = records[r];
        const QString state = p.state == PluginRecord::State::Loaded ? tr("loaded") : p.state == PluginRecord::State::Refused ? tr("refused") : tr("failed");
        const QStringList cells{p.family, p.version, state, p.file, p.message};
        for (int c = 0; c < cells.size(); ++c)
            table->setItem(r, c, new QTableWidgetItem(cells[c]));
    }
    v->addWidget(new QLabel(records.isEmpty() ? tr("No plugins were found in: %1").arg(PluginHost::defaultSearchPaths().join(QStringLiteral(", ")))
                                              : tr("Model-family plugins found at start-up:")));
    v->addWidget(table);
    auto *buttons = new QDialogButtonBox(QDialogButtonBox::Close);
    connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
    v->addWidget(buttons);
    resize(800, 300);
}

} // namespace strata
