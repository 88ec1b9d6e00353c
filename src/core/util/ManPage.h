#pragma once

#include <QCommandLineOption>
#include <QList>
#include <QPair>
#include <QString>
#include <QStringList>

namespace strata {

// A man page in roff (man(7)), generated from the same option tables the programs parse, so that
// the page never drifts from --help. Section 1.
struct ManPage
{
    QString name;    // "strata-cli"
    QString summary; // the NAME line after the dash
    QStringList synopsis;
    QStringList description; // paragraphs
    struct Section
    {
        QString title;
        struct Entry
        {
            QString term; // may hold roff font escapes
            QString text;
            bool nested = false; // indented under the entry before (a command's options)
        };
        QList<Entry> entries;
        QStringList paragraphs; // after the entries
    };
    QList<Section> sections;

    QString toRoff(const QString &version) const;
    // An option as a term: "--model LOC" in bold with the value in italics.
    static QString optionTerm(const QCommandLineOption &option);
    static QString escape(const QString &text);
    // STRATA_THREADS and STRATA_PLUGIN_PATH, which both programs read.
    static QList<Section::Entry> strataEnvironment();
};

} // namespace strata
