// Causal attention in blocks of query rows (TransformerOps): the same probabilities, bit for bit, as
// the whole masked T x T softmax it replaced, and per-head outputs within float32 rounding of the
// whole product (bit for bit where f32 models use it).
#include "util/AtenInclude.h"

#include "model/ModelInfo.h"
#include "model/TransformerOps.h"

#include <ATen/Parallel.h>

#include <QtTest>

#include <cmath>
#include <limits>

using namespace strata;

namespace {
// The whole-matrix formula every family used before the blocks (and the definition).
at::Tensor referenceProbs(const at::Tensor &q, const at::Tensor &k, int window)
{
    const int64_t Hq = q.size(1), T = q.size(2), d = q.size(3), Hkv = k.size(1);
    const at::Tensor kk = Hkv != Hq ? k.repeat_interleave(Hq / Hkv, 1) : k;
    at::Tensor scores = at::matmul(q, kk.transpose(-1, -2)).mul_(1.0 / std::sqrt(double(d)));
    at::Tensor mask = at::ones({T, T}, at::kBool).triu(1);
    if (window > 0 && window < T)
        mask = mask.logical_or(at::ones({T, T}, at::kBool).tril(-window));
    scores.masked_fill_(mask, -std::numeric_limits<float>::infinity());
    return at::softmax(scores, -1);
}
} // namespace

constexpr int kCausalBlockRows = 128; // TransformerOps' query block: up to this length nothing is blocked

class TestCausalAttention : public QObject
{
    Q_OBJECT
private slots:
    void initTestCase() { at::set_num_threads(2); }

    void blocksMatchWholeMatrix_data()
    {
        QTest::addColumn<int>("T");
        QTest::addColumn<int>("window");
        QTest::addColumn<int>("kvHeads");
        for (int T : {1, 5, 127, 128, 129, 300, 513})
            for (int window : {0, 50, 200})
                for (int kv : {4, 2})
                    QTest::addRow("T%d-w%d-kv%d", T, window, kv) << T << window << kv;
    }
    void blocksMatchWholeMatrix()
    {
        QFETCH(int, T);
        QFETCH(int, window);
        QFETCH(int, kvHeads);
        at::InferenceMode guard;
        at::manual_seed(uint64_t(T * 31 + window * 7 + kvHeads));
        // Strided views, as the families pass them (q, k, v split from one projection).
        const at::Tensor qkv = at::randn({1, T, 4 * 16 + 2 * kvHeads * 16}) * 3.0;
        const at::Tensor q = qkv.narrow(-1, 0, 64).view({1, T, 4, 16}).transpose(1, 2);
        const at::Tensor k = qkv.narrow(-1, 64, kvHeads * 16).view({1, T, kvHeads, 16}).transpose(1, 2);
        const at::Tensor v = qkv.narrow(-1, 64 + kvHeads * 16, kvHeads * 16).view({1, T, kvHeads, 16}).transpose(1, 2);

        const at::Tensor want = referenceProbs(q, k, window);
        const at::Tensor got = ops::causalProbs(q, k, window);
        QCOMPARE(got.sizes(), want.sizes());
        QVERIFY2(at::equal(got, want), "blocked probabilities differ from the whole masked softmax");
        // Rows sum to one and nothing past the window or the diagonal is seen.
        QVERIFY(at::allclose(got.sum(-1), at::ones({1, 4, T}), 1e-5, 1e-5));

        const at::Tensor vv = kvHeads != 4 ? v.repeat_interleave(4 / kvHeads, 1) : v;
        const at::Tensor zWant = at::matmul(want, vv).transpose(1, 2);
        const at::Tensor zGot = ops::mixValues(got, v, window);
        QCOMPARE(zGot.sizes(), zWant.sizes());
        // The blocked product (only bf16 models use it) sums in another order: OpenBLAS's kernels give
        // other last bits for products of other shapes (past ~256 keys on an AVX512 Xeon, at any length
        // on AMD Zen 3). Measured up to 2.9e-6 apart on values of magnitude ~1 (T = 513), far below
        // bf16's rounding (3.9e-3).
        const double maxDiff = (zGot - zWant).abs().max().item<double>();
        QVERIFY2(maxDiff <= 2e-5, qPrintable(QStringLiteral("per-head outputs differ by up to %1").arg(maxDiff)));
        if (T <= kCausalBlockRows)
            QVERIFY2(at::equal(zGot, zWant), qPrintable(QStringLiteral("per-head outputs differ by up to %1").arg(maxDiff))); // one block: the same product
        // What f32 models use (-1): the whole product, bit for bit.
        QVERIFY(at::equal(ops::mixValues(got, v, -1), zWant));
        // A pattern a hook replaced is multiplied whole (here: weight above the diagonal).
        const at::Tensor changed = got + 0.01;
        QVERIFY(at::equal(ops::mixValues(changed, v, -1), at::matmul(changed, vv).transpose(1, 2)));
        ModelInfo f32, bf16;
        bf16.compute = QStringLiteral("bf16");
        QCOMPARE(ops::mixWindow(f32, got, got, window), -1);
        QCOMPARE(ops::mixWindow(bf16, got, got, window), window);
        QCOMPARE(ops::mixWindow(bf16, changed, got, window), -1);
    }

    // A bf16 model: both products take bfloat16 operands and give float32 results. The reference is
    // the whole-matrix formula on the bf16-rounded q, k, v and probabilities, in float32: only the order
    // of float32 sums may differ (oneDNN's blocking), far below what rounding the operands changes.
    void bf16ProductsOfRoundedOperands_data() { blocksMatchWholeMatrix_data(); }
    void bf16ProductsOfRoundedOperands()
    {
        QFETCH(int, T);
        QFETCH(int, window);
        QFETCH(int, kvHeads);
        at::InferenceMode guard;
        at::manual_seed(uint64_t(T * 17 + window * 3 + kvHeads));
        const at::Tensor qkv = at::randn({1, T, 4 * 16 + 2 * kvHeads * 16}) * 3.0;
        const at::Tensor q = qkv.narrow(-1, 0, 64).view({1, T, 4, 16}).transpose(1, 2);
        const at::Tensor k = qkv.narrow(-1, 64, kvHeads * 16).view({1, T, kvHeads, 16}).transpose(1, 2);
        const at::Tensor v = qkv.narrow(-1, 64 + kvHeads * 16, kvHeads * 16).view({1, T, kvHeads, 16}).transpose(1, 2);
        const auto rounded = [](const at::Tensor &t) { return t.to(at::kBFloat16).to(at::kFloat); };
        const ComputeRuntime::Compute bf = ComputeRuntime::Compute::BF16;

        const at::Tensor got = ops::causalProbs(q, k, window, bf);
        QCOMPARE(got.scalar_type(), at::kFloat);
        const at::Tensor want = referenceProbs(rounded(q), rounded(k), window);
        const double probDiff = (got - want).abs().max().item<double>();
        QVERIFY2(probDiff <= 2e-5, qPrintable(QStringLiteral("bf16 probabilities differ from the rounded-operand reference by %1").arg(probDiff)));
        QVERIFY(at::allclose(got.sum(-1), at::ones({1, 4, T}), 1e-5, 1e-5));

        const at::Tensor vv = kvHeads != 4 ? v.repeat_interleave(4 / kvHeads, 1) : v;
        const at::Tensor zWant = at::matmul(rounded(got), rounded(vv)).transpose(1, 2);
        for (int causal : {window, -1}) {
            const at::Tensor z = ops::mixValues(got, v, causal, bf);
            QCOMPARE(z.sizes(), zWant.sizes());
            QVERIFY(z.is_contiguous()); // [B, T, H, d], as the output projection reads it
            const double zDiff = (z - zWant).abs().max().item<double>();
            QVERIFY2(zDiff <= 2e-5, qPrintable(QStringLiteral("bf16 per-head outputs differ from the reference by %1").arg(zDiff)));
        }
        if (T > 1) {
            // And the products really took bf16 operands: the float32 formula gives other values.
            const double fromF32 = (ops::mixValues(got, v, -1) - zWant).abs().max().item<double>();
            QVERIFY2(fromF32 > 1e-4, qPrintable(QStringLiteral("bf16 outputs are the float32 ones (%1 apart)").arg(fromF32)));
        }
    }
};

QTEST_GUILESS_MAIN(TestCausalAttention)
#include "tst_causalattention.moc"
