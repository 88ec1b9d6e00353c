// How fast the attention heatmap switches heads: the time from "select the next head" to a finished
// replot of the panel, on synthetic traces of T = 128, 512 and 1024 tokens (12 heads), offscreen.
// Run: QT_QPA_PLATFORM=offscreen ./build/bin/bench_heatmap
#include "AppContext.h"
#include "panels/AttentionPanel.h"

#include <QApplication>
#include <QElapsedTimer>

#include <qcustomplot.h>

#include <algorithm>
#include <cstdio>
#include <random>

using namespace strata;

namespace {
TracePtr syntheticTrace(int T, int heads, DType storage)
{
    auto t = std::make_shared<Trace>();
    t->model.name = QStringLiteral("synthetic");
    t->model.nLayers = 1;
    t->model.nHeads = heads;
    for (int i = 0; i < T; ++i) {
        t->tokens.push_back({i, i, i + 1});
        t->tokenStrings << QStringLiteral("t%1").arg(i);
    }
    std::mt19937 rng(1);
    std::uniform_real_distribution<float> u(0.f, 1.f);
    std::vector<float> a(size_t(heads) * T * T, 0.f);
    for (int h = 0; h < heads; ++h)
        for (int q = 0; q < T; ++q) {
            float sum = 0;
            for (int k = 0; k <= q; ++k)
                sum += (a[(size_t(h) * T + q) * T + k] = u(rng) * u(rng) * u(rng));
            for (int k = 0; k <= q; ++k)
                a[(size_t(h) * T + q) * T + k] /= sum;
        }
    LayerTrace lt;
    lt.attn = HostTensor::fromFloats({heads, T, T}, a.data(), storage);
    t->layers.push_back(std::move(lt));
    return t;
}
} // namespace

int main(int argc, char **argv)
{
    qputenv("QT_QPA_PLATFORM", "offscreen");
    QApplication app(argc, argv);
    AppContext ctx;
    AttentionPanel panel(&ctx);
    panel.resize(1100, 900);
    panel.show();
    std::printf("attention heatmap: switch head = rebuild the colour map + full replot (%dx%d px)\n", panel.width(), panel.height());
    std::printf("%6s %8s %10s %10s %10s\n", "T", "storage", "mean ms", "median ms", "max ms");
    for (int T : {128, 512, 1024})
        for (DType st : {DType::F32, DType::F16}) {
            const int heads = 12;
            ctx.setTrace(syntheticTrace(T, heads, st));
            QCoreApplication::processEvents();
            std::vector<double> ms;
            for (int rep = 0; rep < 2; ++rep)
                for (int h = 0; h < heads; ++h) {
                    QElapsedTimer timer;
                    timer.start();
                    ctx.setHead((h + 1) % heads);
                    panel.plot()->replot(QCustomPlot::rpImmediateRefresh);
                    ms.push_back(double(timer.nsecsElapsed()) / 1e6);
                }
            std::sort(ms.begin(), ms.end());
            double mean = 0;
            for (double v : ms)
                mean += v / double(ms.size());
            std::printf("%6d %8s %10.2f %10.2f %10.2f\n", T, st == DType::F32 ? "f32" : "f16", mean, ms[ms.size() / 2], ms.back());
        }
    return 0;
}
