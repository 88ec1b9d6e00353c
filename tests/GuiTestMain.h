#pragma once

#include <QApplication>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QtTest>

// main() for GUI tests: the user's settings, data, caches and Hugging Face cache are never touched; they are
// redirected to a temporary folder before the application exists.
#define STRATA_GUI_TEST_MAIN(TestClass)                                                                                                                        \
    int main(int argc, char **argv)                                                                                                                            \
    {                                                                                                                                                          \
        QTemporaryDir config;                                                                                                                                  \
        qputenv("XDG_CONFIG_HOME", config.path().toUtf8());                                                                                                    \
        qputenv("XDG_DATA_HOME", config.path().toUtf8());                                                                                                      \
        qputenv("XDG_CACHE_HOME", config.filePath(QStringLiteral("cache")).toUtf8());                                                                          \
        qputenv("HF_HUB_CACHE", config.filePath(QStringLiteral("hub")).toUtf8());                                                                              \
        QApplication app(argc, argv);                                                                                                                          \
        QStandardPaths::setTestModeEnabled(true);                                                                                                              \
        QCoreApplication::setOrganizationName(QStringLiteral("StrataTest"));                                                                                   \
        QCoreApplication::setApplicationName(QStringLiteral(#TestClass));                                                                                      \
        TestClass t;                                                                                                                                           \
        return QTest::qExec(&t, argc, argv);                                                                                                                   \
    }
