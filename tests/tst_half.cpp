#include "util/Half.h"

#include <QtTest>
#include <cmath>
#include <limits>

using namespace strata;

class TestHalf : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void knownValues_data()
    {
        QTest::addColumn<float>("value");
        QTest::addColumn<int>("bits");
        // Bit patterns from the IEEE 754 binary16 definition.
        QTest::newRow("one") << 1.0f << 0x3C00;
        QTest::newRow("minus two") << -2.0f << 0xC000;
        QTest::newRow("max") << 65504.0f << 0x7BFF;
        QTest::newRow("overflow to inf") << 65520.0f << 0x7C00;
        QTest::newRow("just below overflow rounds to max") << 65519.0f << 0x7BFF;
        QTest::newRow("min normal") << std::ldexp(1.0f, -14) << 0x0400;
        QTest::newRow("min subnormal") << std::ldexp(1.0f, -24) << 0x0001;
        QTest::newRow("half of min subnormal rounds to even zero") << std::ldexp(1.0f, -25) << 0x0000;
        QTest::newRow("0.1") << 0.1f << 0x2E66;
        QTest::newRow("1/3") << 1.0f / 3 << 0x3555;
        QTest::newRow("tie rounds to even") << 1.0f + std::ldexp(1.0f, -11) << 0x3C00;
        QTest::newRow("tie rounds up to even") << 1.0f + 3 * std::ldexp(1.0f, -11) << 0x3C02;
        QTest::newRow("minus zero") << -0.0f << 0x8000;
        QTest::newRow("inf") << std::numeric_limits<float>::infinity() << 0x7C00;
    }
    void knownValues()
    {
        QFETCH(float, value);
        QFETCH(int, bits);
        QCOMPARE(int(floatToHalf(value)), bits);
    }
    void everyHalfRoundTrips()
    {
        for (int h = 0; h < 65536; ++h) {
            const float f = halfToFloat(uint16_t(h));
            if (std::isnan(f)) {
                QVERIFY(std::isnan(halfToFloat(floatToHalf(f))));
                continue;
            }
            QCOMPARE(int(floatToHalf(f)), h);
        }
    }
    void bfloat16()
    {
        QCOMPARE(bf16ToFloat(0x3F80), 1.0f);
        QCOMPARE(bf16ToFloat(0xC040), -3.0f);
    }
};

QTEST_GUILESS_MAIN(TestHalf)
#include "tst_half.moc"
