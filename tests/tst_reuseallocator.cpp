// ComputeRuntime::ReuseScope: large freed tensors are handed out again inside a scope, released
// when the last scope ends or releaseKept() is called, and never reused outside one; the values
// computed do not change.
#include "util/AtenInclude.h"

#include "model/ComputeRuntime.h"

#include <QtTest>

using namespace strata;

class TestReuseAllocator : public QObject
{
    Q_OBJECT
private slots:
    void initTestCase()
    {
        QVERIFY(!ComputeRuntime::reuseStats().installed);
        // Threads first, as both executables do: ATen sets its thread count on its first parallel
        // region, so without it the first product runs on OpenBLAS's own count and can end in other
        // last bits than every later one (seen on AMD Zen 3).
        ComputeRuntime::configureThreads(2);
        ComputeRuntime::configureAllocator();
        QVERIFY(ComputeRuntime::reuseStats().installed);
    }

    void reusesInsideAScope()
    {
        const ComputeRuntime::ReuseStats before = ComputeRuntime::reuseStats();
        const void *first = nullptr;
        {
            ComputeRuntime::ReuseScope scope;
            {
                at::Tensor a = at::empty({3, 1024, 1024}); // 12 MiB
                first = a.data_ptr();
            }
            QCOMPARE(ComputeRuntime::reuseStats().keptBytes, 12LL << 20);
            at::Tensor b = at::empty({3, 1024, 1000}); // a little smaller: the kept block fits
            QCOMPARE(static_cast<const void *>(b.data_ptr()), first);
            QCOMPARE(ComputeRuntime::reuseStats().keptBytes, 0LL);
            at::Tensor c = at::empty({6, 1024, 1024}); // larger: a fresh block
            QVERIFY(c.data_ptr() != b.data_ptr());
        }
        const ComputeRuntime::ReuseStats after = ComputeRuntime::reuseStats();
        QCOMPARE(after.reused - before.reused, 1LL);
        QCOMPARE(after.fresh - before.fresh, 2LL);
        QCOMPARE(after.keptBytes, 0LL); // the last scope ended: everything kept was freed
    }

    void farSmallerRequestsGetFreshBlocks()
    {
        ComputeRuntime::ReuseScope scope;
        {
            at::Tensor big = at::empty({64, 1024, 1024});
        } // 256 MiB kept
        const long long reused = ComputeRuntime::reuseStats().reused;
        at::Tensor small = at::empty({2, 1024, 1024}); // 8 MiB must not take the 256 MiB block
        QCOMPARE(ComputeRuntime::reuseStats().reused, reused);
        QCOMPARE(ComputeRuntime::reuseStats().keptBytes, 256LL << 20);
    }

    void nothingKeptOutsideAScope()
    {
        const long long reused = ComputeRuntime::reuseStats().reused;
        {
            at::Tensor a = at::empty({4, 1024, 1024});
        }
        QCOMPARE(ComputeRuntime::reuseStats().keptBytes, 0LL);
        at::Tensor b = at::empty({4, 1024, 1024});
        QCOMPARE(ComputeRuntime::reuseStats().reused, reused);
    }

    void releaseKeptFreesInsideAScope()
    {
        ComputeRuntime::ReuseScope outer;
        ComputeRuntime::ReuseScope inner; // nested scopes, as a sweep around forward passes holds
        {
            at::Tensor a = at::empty({5, 1024, 1024});
            at::Tensor b = at::empty({2, 1024, 1024});
        }
        QCOMPARE(ComputeRuntime::reuseStats().keptBytes, 28LL << 20);
        ComputeRuntime::releaseKept();
        QCOMPARE(ComputeRuntime::reuseStats().keptBytes, 0LL);
        const ComputeRuntime::ReuseStats before = ComputeRuntime::reuseStats();
        {
            at::Tensor c = at::empty({5, 1024, 1024}); // nothing kept to hand out: fresh
        }
        const ComputeRuntime::ReuseStats after = ComputeRuntime::reuseStats();
        QCOMPARE(after.reused, before.reused);
        QCOMPARE(after.fresh - before.fresh, 1LL);
        QCOMPARE(after.keptBytes, 20LL << 20); // the scopes still keep what is freed after
    }

    void valuesUnchanged()
    {
        at::manual_seed(7);
        const at::Tensor x = at::randn({512, 2048}), w = at::randn({2048, 1024});
        const at::Tensor want = at::softmax(at::mm(x, w), -1);
        ComputeRuntime::ReuseScope scope;
        for (int i = 0; i < 3; ++i) // later rounds run in reused (dirty) blocks
            QVERIFY(at::equal(at::softmax(at::mm(x, w), -1), want));
        QVERIFY(ComputeRuntime::reuseStats().reused > 0);
    }
};

QTEST_GUILESS_MAIN(TestReuseAllocator)
#include "tst_reuseallocator.moc"
