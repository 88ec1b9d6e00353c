// ops::matmulBf16 (oneDNN's bf16 matmul with float32 results): against the float32 product of the same
// bf16 values, for the shapes and strides the forward pass hands it, and its refusals.
#include "util/AtenInclude.h"

#include "model/Bf16Matmul.h"
#include "util/Error.h"

#include <ATen/Parallel.h>

#include <QtTest>

using namespace strata;

namespace {
at::Tensor rounded(const at::Tensor &t)
{
    return t.to(at::kBFloat16).to(at::kFloat);
}

// |got - want| against what float32 summation order can change: k terms of size |a||b| each,
// float32's epsilon per addition.
void expectClose(const at::Tensor &got, const at::Tensor &want, const at::Tensor &absProduct)
{
    QCOMPARE(got.sizes(), want.sizes());
    const at::Tensor excess = (got - want).abs() - absProduct * 1e-6 - 1e-6;
    const double worst = excess.max().item<double>();
    QVERIFY2(worst <= 0, qPrintable(QStringLiteral("differs from the float32 product of the bf16 values by %1 beyond rounding").arg(worst)));
}
} // namespace

class TestBf16Matmul : public QObject
{
    Q_OBJECT
private slots:
    void initTestCase() { at::set_num_threads(2); }

    // m x k times k x n in the layouts the families use: Conv1D weights [in, out], Linear weights
    // [out, in] passed transposed, a transposed left operand; with and without a bias.
    void matrices_data()
    {
        QTest::addColumn<int>("m");
        QTest::addColumn<int>("k");
        QTest::addColumn<int>("n");
        QTest::addColumn<bool>("transposedB");
        QTest::addColumn<bool>("transposedA");
        QTest::addColumn<bool>("bias");
        QTest::newRow("1x1x1") << 1 << 1 << 1 << false << false << false;
        QTest::newRow("one row, Linear layout") << 1 << 64 << 300 << true << false << true;
        QTest::newRow("qkv, Conv1D layout") << 130 << 96 << 288 << false << false << true;
        QTest::newRow("odd sizes") << 37 << 129 << 65 << false << true << false;
        QTest::newRow("mlp down, Linear layout") << 200 << 512 << 96 << true << false << true;
        QTest::newRow("logits block") << 128 << 64 << 2000 << true << false << false;
    }
    void matrices()
    {
        QFETCH(int, m);
        QFETCH(int, k);
        QFETCH(int, n);
        QFETCH(bool, transposedB);
        QFETCH(bool, transposedA);
        QFETCH(bool, bias);
        at::InferenceMode guard;
        at::manual_seed(uint64_t(m * 7 + k * 3 + n));
        const at::Tensor a = transposedA ? at::randn({k, m}).t() : at::randn({m, k});
        const at::Tensor b = transposedB ? at::randn({n, k}).t() : at::randn({k, n});
        const at::Tensor c = bias ? at::randn({n}) : at::Tensor();
        const at::Tensor ab = a.to(at::kBFloat16), bb = b.to(at::kBFloat16);
        const at::Tensor got = ops::matmulBf16(ab, bb, c);
        QCOMPARE(got.scalar_type(), at::kFloat);
        QVERIFY(got.is_contiguous());
        at::Tensor want = at::mm(rounded(a), rounded(b));
        if (bias)
            want = want + c;
        expectClose(got, want, at::mm(rounded(a).abs(), rounded(b).abs()));
        // Not rounded to bf16: the float32 result keeps bits bf16 would drop.
        if (m * n > 100)
            QVERIFY(!at::equal(got, rounded(got)));
    }

    // Batched [B, H, m, k] x [B, H, k, n] with the scale of attention scores, and a float32 output that is
    // a strided slice of a larger tensor (z written straight into [B, T, H, d]).
    void batchedIntoStridedOutput()
    {
        at::InferenceMode guard;
        at::manual_seed(5);
        const int64_t B = 2, H = 3, T = 40, d = 16, m = 24, first = 4;
        const at::Tensor q = at::randn({B, T, H, d}).transpose(1, 2); // strided, as the families pass it
        const at::Tensor k = at::randn({B, H, T, d});
        const at::Tensor qb = q.to(at::kBFloat16).narrow(2, first, m), kb = k.to(at::kBFloat16).transpose(-1, -2);
        const double scale = 0.25;
        const at::Tensor scores = ops::matmulBf16(qb, kb, at::Tensor(), scale);
        const at::Tensor want = at::matmul(rounded(q).narrow(2, first, m), rounded(k).transpose(-1, -2)) * scale;
        expectClose(scores, want, at::matmul(rounded(q).narrow(2, first, m).abs(), rounded(k).transpose(-1, -2).abs()) * scale);

        at::Tensor z = at::full({B, T, H, d}, 7.0f);
        const at::Tensor p = at::softmax(scores, -1).to(at::kBFloat16); // [B, H, m, T]
        const at::Tensor v = at::randn({B, H, T, d}).to(at::kBFloat16);
        ops::matmulBf16Out(z.narrow(1, first, m).transpose(1, 2), p, v);
        const at::Tensor zWant = at::matmul(p.to(at::kFloat), v.to(at::kFloat)).transpose(1, 2);
        expectClose(z.narrow(1, first, m), zWant, at::matmul(p.to(at::kFloat), v.to(at::kFloat).abs()).transpose(1, 2));
        // Rows outside the slice are untouched.
        QVERIFY(at::equal(z.narrow(1, 0, first), at::full({B, first, H, d}, 7.0f)));
        QVERIFY(at::equal(z.narrow(1, first + m, T - first - m), at::full({B, T - first - m, H, d}, 7.0f)));
    }

    // The activation fused after the bias (GPT-2's and NeoX's MLP): oneDNN's GELU and ReLU against ATen's
    // on the float32 product of the same bf16 values.
    void activations_data()
    {
        QTest::addColumn<int>("act");
        QTest::newRow("gelu tanh") << int(ops::Activation::GeluTanh);
        QTest::newRow("gelu erf") << int(ops::Activation::GeluErf);
        QTest::newRow("relu") << int(ops::Activation::Relu);
    }
    void activations()
    {
        QFETCH(int, act);
        at::InferenceMode guard;
        at::manual_seed(uint64_t(act));
        const at::Tensor a = at::randn({70, 96}), b = at::randn({96, 130}) * 0.2, c = at::randn({130});
        const ops::Activation which = ops::Activation(act);
        const at::Tensor got = ops::matmulBf16(a.to(at::kBFloat16), b.to(at::kBFloat16), c, 1.0, which);
        const at::Tensor pre = at::mm(rounded(a), rounded(b)) + c;
        const at::Tensor want = ops::activate(pre, which);
        QVERIFY(!at::allclose(want, pre)); // the function changed the values
        // GELU's slope is at most ~1.13, so the product's rounding passes through nearly unchanged;
        // oneDNN's polynomial GELU is within ~1e-6 of ATen's.
        expectClose(got, want, at::mm(rounded(a).abs(), rounded(b).abs()) * 1.2 + 2.0);
    }

    // An operand oneDNN may refuse (zero strides of an expanded tensor) still gives the right product.
    void expandedOperand()
    {
        at::InferenceMode guard;
        at::manual_seed(11);
        const at::Tensor row = at::randn({1, 48}).to(at::kBFloat16), b = at::randn({48, 20}).to(at::kBFloat16);
        const at::Tensor a = row.expand({9, 48}); // stride 0 along the rows
        const at::Tensor want = at::mm(a.to(at::kFloat), b.to(at::kFloat));
        expectClose(ops::matmulBf16(a, b), want, at::mm(a.to(at::kFloat).abs(), b.to(at::kFloat).abs()));
    }

    void emptyInnerDimensionGivesTheBias()
    {
        at::InferenceMode guard;
        const at::Tensor c = at::arange(5, at::kFloat);
        const at::Tensor got = ops::matmulBf16(at::empty({3, 0}, at::kBFloat16), at::empty({0, 5}, at::kBFloat16), c);
        QVERIFY(at::equal(got, c.expand({3, 5})));
    }

    void refusesWrongOperands()
    {
        at::InferenceMode guard;
        const at::Tensor a = at::randn({4, 8}).to(at::kBFloat16), b = at::randn({8, 3}).to(at::kBFloat16);
        QVERIFY_THROWS_EXCEPTION(Error, ops::matmulBf16(a.to(at::kFloat), b));                       // float32 operand
        QVERIFY_THROWS_EXCEPTION(Error, ops::matmulBf16(a, b.narrow(0, 0, 7)));                      // k differs
        QVERIFY_THROWS_EXCEPTION(Error, ops::matmulBf16(a.unsqueeze(0), b));                         // ranks differ
        QVERIFY_THROWS_EXCEPTION(Error, ops::matmulBf16(a, b, at::randn({4})));                      // bias of the wrong length
        QVERIFY_THROWS_EXCEPTION(Error, ops::matmulBf16(a, b, at::randn({3}), 0.5));                 // bias and scale
        QVERIFY_THROWS_EXCEPTION(Error, ops::matmulBf16Out(at::empty({4, 3}, at::kBFloat16), a, b)); // bf16 output
        QVERIFY_THROWS_EXCEPTION(Error, ops::matmulBf16(at::randn({2, 4, 8}).to(at::kBFloat16), at::randn({3, 8, 3}).to(at::kBFloat16)));
    }
};

QTEST_GUILESS_MAIN(TestBf16Matmul)
#include "tst_bf16matmul.moc"
