#include "ComputeRuntime.h"

#include "util/AtenInclude.h"

#include <ATen/Parallel.h>
#include <torch/csrc/api/include/torch/version.h>

#include <QFile>
#include <QFileInfo>
#include <QStringList>
#include <QThread>

#include <chrono>
#include <dlfcn.h>
#include <link.h>
#include <sys/resource.h>

namespace strata::ComputeRuntime {

int configureThreads(int threads)
{
    if (threads <= 0) {
        bool ok = false;
        const int env = qEnvironmentVariableIntValue("STRATA_THREADS", &ok);
        threads = ok && env > 0 ? env : QThread::idealThreadCount();
    }
    if (threads < 1)
        threads = 1;
    at::set_num_threads(threads);
    return at::get_num_threads();
}

int threadCount()
{
    return at::get_num_threads();
}

QString torchVersion()
{
    return QStringLiteral(TORCH_VERSION);
}

namespace {
int collectBlas(struct dl_phdr_info *info, size_t, void *data)
{
    auto *found = static_cast<QStringList *>(data);
    const QString name = QString::fromLocal8Bit(info->dlpi_name);
    const QString file = QFileInfo(name).fileName();
    if (file.contains(QLatin1String("blas"), Qt::CaseInsensitive) || file.contains(QLatin1String("mkl"), Qt::CaseInsensitive))
        found->append(name);
    return 0;
}
} // namespace

QString blasDescription()
{
    QStringList libs;
    dl_iterate_phdr(collectBlas, &libs);
    QStringList parts;
    for (const QString &l : libs) {
        const QString real = QFileInfo(l).canonicalFilePath();
        parts << (real.isEmpty() ? l : real);
    }
    using ConfigFn = char *(*)();
    if (auto cfg = reinterpret_cast<ConfigFn>(dlsym(RTLD_DEFAULT, "openblas_get_config")))
        parts << QStringLiteral("OpenBLAS config: %1").arg(QString::fromLatin1(cfg()));
    if (auto core = reinterpret_cast<ConfigFn>(dlsym(RTLD_DEFAULT, "openblas_get_corename")))
        parts << QStringLiteral("core: %1").arg(QString::fromLatin1(core()));
    if (parts.isEmpty())
        return QStringLiteral("no BLAS library found in this process");
    return parts.join(QStringLiteral("; "));
}

double measureGemmGflops(int n, int repeats)
{
    at::InferenceMode guard;
    const at::Tensor a = at::randn({n, n});
    const at::Tensor b = at::randn({n, n});
    at::Tensor c = at::mm(a, b); // warm-up
    double best = 0;
    for (int i = 0; i < repeats; ++i) {
        const auto t0 = std::chrono::steady_clock::now();
        c = at::mm(a, b);
        const double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
        best = std::max(best, 2.0 * double(n) * n * n / s / 1e9);
    }
    return best;
}

long long peakRssBytes()
{
    struct rusage ru
    {};
    getrusage(RUSAGE_SELF, &ru);
    return static_cast<long long>(ru.ru_maxrss) * 1024;
}

long long currentRssBytes()
{
    QFile f(QStringLiteral("/proc/self/statm"));
    if (!f.open(QIODevice::ReadOnly))
        return 0;
    const QList<QByteArray> fields = f.readAll().split(' ');
    return fields.size() > 1 ? fields[1].toLongLong() * 4096 : 0;
}

} // namespace strata::ComputeRuntime
