#include "analysis/ResidualAnalysis.h"

#include <QtTest>

#include <cmath>
#include <random>

using namespace strata;
using namespace strata::ResidualAnalysis;

class TestResidualAnalysis : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void pcaHandComputed()
    {
        // Points (1,1), (2,2), (3,3), (4,4.5): mean (2.5, 2.625). By hand: deviations x -1.5 -0.5 0.5 1.5,
        // y -1.625 -0.625 0.375 1.875; var x = 5/3, var y = 6.6875/3, cov = 5.75/3.
        const std::vector<float> X{1, 1, 2, 2, 3, 3, 4, 4.5f};
        const Pca p = pca(X, 4, 2, 2);
        QCOMPARE(p.components, 2);
        QVERIFY(std::abs(p.mean[0] - 2.5) < 1e-9 && std::abs(p.mean[1] - 2.625) < 1e-9);
        // Eigenvalues of [[a, b], [b, c]] from the 2x2 characteristic polynomial.
        const double a = 5.0 / 3, b = 5.75 / 3, c = 6.6875 / 3;
        const double l1 = (a + c) / 2 + std::sqrt((a - c) * (a - c) / 4 + b * b), l2 = (a + c) - l1;
        QVERIFY(std::abs(p.explained[0] - l1 / (l1 + l2)) < 1e-9);
        QVERIFY(std::abs(p.explained[1] - l2 / (l1 + l2)) < 1e-9);
        // Eigenvector of l1: (b, l1 - a) normalised, positive largest coordinate.
        const double n = std::hypot(b, l1 - a);
        QVERIFY(std::abs(p.basis[0] - b / n) < 1e-9 && std::abs(p.basis[1] - (l1 - a) / n) < 1e-9);
        // Projections are centred and the first coordinate carries the spread.
        const auto proj = p.project(X, 4);
        double s0 = 0, s1 = 0;
        for (int i = 0; i < 4; ++i) {
            s0 += proj[size_t(i) * 2];
            s1 += proj[size_t(i) * 2 + 1];
        }
        QVERIFY(std::abs(s0) < 1e-9 && std::abs(s1) < 1e-9);
        QVERIFY(std::abs(proj[0] - (-1.5 * b / n - 1.625 * (l1 - a) / n)) < 1e-9); // first point on the first axis
    }

    void ckaProperties()
    {
        std::mt19937 rng(3);
        std::normal_distribution<float> g;
        const int n = 40, d = 6;
        std::vector<float> X(size_t(n) * d), Y(size_t(n) * 4);
        for (float &v : X)
            v = g(rng);
        for (float &v : Y)
            v = g(rng);
        QVERIFY(std::abs(linearCka(X, X, n, d, d) - 1.0) < 1e-9);
        // An orthogonal transform (a rotation in the first two dims) and isotropic scaling leave CKA at 1.
        std::vector<float> R(X.size());
        const double th = 0.7;
        for (int i = 0; i < n; ++i) {
            const float *x = X.data() + size_t(i) * d;
            float *r = R.data() + size_t(i) * d;
            r[0] = float(3.0 * (std::cos(th) * x[0] - std::sin(th) * x[1]));
            r[1] = float(3.0 * (std::sin(th) * x[0] + std::cos(th) * x[1]));
            for (int j = 2; j < d; ++j)
                r[j] = 3.f * x[j];
        }
        QVERIFY(std::abs(linearCka(X, R, n, d, d) - 1.0) < 1e-6);
        QVERIFY(std::abs(linearCka(X, Y, n, d, 4) - linearCka(R, Y, n, d, 4)) < 1e-6);
        const double unrelated = linearCka(X, Y, n, d, 4);
        QVERIFY(unrelated > 0 && unrelated < 0.5);
    }

    void centringRemovesTheCommonDirection()
    {
        // Two vectors sharing a large common offset: raw cosine near 1, centred cosine shows they differ.
        const std::vector<float> a{10, 10, 10.5f, 9.5f}, b{10, 10, 9.5f, 10.5f}, c{10, 10, 10, 10};
        const Baseline base = baselineOf({a, b, c});
        QVERIFY(std::abs(base.mean[2] - 10.0) < 1e-6);
        QVERIFY(cosine(a, b) > 0.99);
        const auto m = similarityMatrix({a, b}, base, Centring::SubtractMean);
        QVERIFY(std::abs(m[0][1] + 1.0) < 1e-5); // centred, a and b point in opposite directions
        QCOMPARE(m[0][0], 1.0);
        const auto raw = similarityMatrix({a, b}, base, Centring::None);
        QVERIFY(raw[0][1] > 0.99);
    }

    void pooling()
    {
        const float v[] = {1, 2, 3, 4, 5, 0}; // 3 tokens x 2 dims
        const HostTensor t = HostTensor::fromFloats({3, 2}, v);
        QCOMPARE(pool(t, Pooling::Mean), (std::vector<float>{3, 2}));
        QCOMPARE(pool(t, Pooling::Last), (std::vector<float>{5, 0}));
        QCOMPARE(pool(t, Pooling::Max), (std::vector<float>{5, 4}));
        QCOMPARE(pool(t, Pooling::Mean, 1), (std::vector<float>{4, 2})); // BOS skipped
    }

    void contributions()
    {
        Trace tr;
        LayerTrace l;
        const float a[] = {3, 4, 0, 0}, m[] = {0, 1, 1, 0}, r[] = {6, 8, 0, 2};
        l.attnOut = HostTensor::fromFloats({2, 2}, a);
        l.mlpOut = HostTensor::fromFloats({2, 2}, m);
        l.residPost = HostTensor::fromFloats({2, 2}, r);
        tr.layers.push_back(l);
        const Contributions c = contributionNorms(tr);
        QCOMPARE(c.attnOut[0], 2.5); // (5 + 0) / 2
        QCOMPARE(c.mlpOut[0], 1.0);
        QCOMPARE(c.residPost[0], 6.0); // (10 + 2) / 2
    }
};

QTEST_GUILESS_MAIN(TestResidualAnalysis)
#include "tst_residualanalysis.moc"
