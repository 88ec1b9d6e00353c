#include "ComputeRuntime.h"

#include "Bf16Matmul.h"

#include "util/Error.h"

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
#include <malloc.h>
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

double measureGemmGflops(int n, int repeats, bool bf16)
{
    at::InferenceMode guard;
    const at::Tensor a = at::randn({n, n}).to(bf16 ? at::kBFloat16 : at::kFloat);
    const at::Tensor b = at::randn({n, n}).to(bf16 ? at::kBFloat16 : at::kFloat);
    // bf16: the product Strata's bf16 compute runs (ops::matmulBf16: oneDNN with float32 results, or
    // float32 products of the bf16 values where the CPU has no native bf16), not ATen's own bf16 mm.
    const at::Tensor c = at::empty({n, n});
    const auto product = [&] {
        if (bf16)
            ops::matmulBf16Out(c, a, b);
        else
            at::mm_out(const_cast<at::Tensor &>(c), a, b);
    };
    product(); // warm-up (and oneDNN's primitive made)
    double best = 0;
    for (int i = 0; i < repeats; ++i) {
        const auto t0 = std::chrono::steady_clock::now();
        product();
        const double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
        best = std::max(best, 2.0 * double(n) * n * n / s / 1e9);
    }
    return best;
}

void installReuseAllocator(); // ReuseAllocator.cpp

void configureAllocator()
{
    installReuseAllocator();
    mallopt(M_MMAP_THRESHOLD, 32 << 20); // glibc's upper limit for the threshold on 64-bit
    mallopt(M_TRIM_THRESHOLD, 1 << 30);
}

QString computeName(Compute c)
{
    return c == Compute::BF16 ? QStringLiteral("bf16") : QStringLiteral("f32");
}

QString nativeBf16()
{
    static const QString found = [] {
        QFile f(QStringLiteral("/proc/cpuinfo"));
        if (!f.open(QIODevice::ReadOnly))
            return QString();
        const QByteArray all = f.readAll();
        const qsizetype flags = all.indexOf("\nflags");
        const QByteArray line = flags < 0 ? QByteArray() : all.mid(flags + 1, all.indexOf('\n', flags + 1) - flags - 1);
        const QList<QByteArray> words = line.split(' ');
        if (words.contains("amx_bf16"))
            return QStringLiteral("AMX-BF16");
        if (words.contains("avx512_bf16"))
            return QStringLiteral("AVX512-BF16");
        return QString();
    }();
    return found;
}

namespace {
QString &requestSlot()
{
    static QString r = qEnvironmentVariable("STRATA_COMPUTE", QStringLiteral("auto"));
    return r;
}
} // namespace

QString computeRequest()
{
    return requestSlot();
}

void setComputeRequest(const QString &request)
{
    if (request != QLatin1String("auto") && request != QLatin1String("f32") && request != QLatin1String("bf16"))
        throw Error(QStringLiteral("Compute precision must be auto, f32 or bf16, not '%1'.").arg(request));
    requestSlot() = request;
}

Compute resolveCompute(const QString &request, long long parameters, QString *warning)
{
    if (request == QLatin1String("f32"))
        return Compute::F32;
    if (request == QLatin1String("bf16")) {
        if (nativeBf16().isEmpty() && warning)
            *warning = QStringLiteral("This CPU has no native bfloat16 (no AMX-BF16 or AVX512-BF16): bf16 products are emulated and slower than f32.");
        return Compute::BF16;
    }
    if (request != QLatin1String("auto"))
        throw Error(QStringLiteral("Compute precision must be auto, f32 or bf16, not '%1'.").arg(request));
    return !nativeBf16().isEmpty() && parameters >= kAutoBf16Parameters ? Compute::BF16 : Compute::F32;
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
