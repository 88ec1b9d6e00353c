#include "ManPage.h"

namespace strata {

QString ManPage::escape(const QString &text)
{
    QString out;
    for (const QChar c : text) {
        if (c == QLatin1Char('\\'))
            out += QStringLiteral("\\e");
        else if (c == QLatin1Char('-'))
            out += QStringLiteral("\\-");
        else
            out += c;
    }
    // A line starting with . or ' would be a roff request.
    QStringList lines = out.split(QLatin1Char('\n'));
    for (QString &l : lines)
        if (l.startsWith(QLatin1Char('.')) || l.startsWith(QLatin1Char('\'')))
            l.prepend(QStringLiteral("\\&"));
    return lines.join(QLatin1Char('\n'));
}

QList<ManPage::Section::Entry> ManPage::strataEnvironment()
{
    return {{QStringLiteral("\\fBSTRATA_THREADS\\fR"), QStringLiteral("Torch threads (default: all cores).")},
            {QStringLiteral("\\fBSTRATA_PLUGIN_PATH\\fR"), QStringLiteral("More folders to look for model-family plugins in.")}};
}

QString ManPage::optionTerm(const QCommandLineOption &option)
{
    QStringList names;
    for (const QString &n : option.names())
        names << QStringLiteral("\\fB%1%2\\fR").arg(n.size() == 1 ? QStringLiteral("\\-") : QStringLiteral("\\-\\-"), escape(n));
    QString term = names.join(QStringLiteral(", "));
    if (!option.valueName().isEmpty())
        term += QStringLiteral(" \\fI%1\\fR").arg(escape(option.valueName()));
    return term;
}

QString ManPage::toRoff(const QString &version) const
{
    QString s;
    s += QStringLiteral(".TH \"%1\" \"1\" \"\" \"Strata %2\" \"User Commands\"\n").arg(name.toUpper(), escape(version));
    s += QStringLiteral(".SH NAME\n%1 \\- %2\n").arg(escape(name), escape(summary));
    s += QStringLiteral(".SH SYNOPSIS\n");
    for (const QString &l : synopsis)
        s += QStringLiteral(".B %1\n.br\n").arg(escape(l));
    s += QStringLiteral(".SH DESCRIPTION\n");
    for (const QString &p : description)
        s += escape(p) + QStringLiteral("\n.PP\n");
    for (const Section &sec : sections) {
        s += QStringLiteral(".SH %1\n").arg(escape(sec.title.toUpper()));
        bool nested = false;
        for (const Section::Entry &e : sec.entries) {
            if (e.nested != nested)
                s += e.nested ? QStringLiteral(".RS\n") : QStringLiteral(".RE\n");
            nested = e.nested;
            s += QStringLiteral(".TP\n%1\n%2\n").arg(e.term, escape(e.text));
        }
        if (nested)
            s += QStringLiteral(".RE\n");
        for (const QString &p : sec.paragraphs)
            s += QStringLiteral(".PP\n") + escape(p) + QLatin1Char('\n');
    }
    return s;
}

} // namespace strata
