#pragma once

#include <QDialog>

namespace strata {

// Versions of Strata, Qt and libtorch, the BLAS library really loaded and the thread count.
class AboutDialog : public QDialog
{
    Q_OBJECT
public:
    explicit AboutDialog(QWidget *parent = nullptr);
    static QString versionReport();
};

// Help > Plugins: every plugin file the host looked at, its state and why.
class PluginsDialog : public QDialog
{
    Q_OBJECT
public:
    explicit PluginsDialog(QWidget *parent = nullptr);
};

} // namespace strata
