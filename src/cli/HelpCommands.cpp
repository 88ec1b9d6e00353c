// strata-cli --man (the man page, generated from the command table) and the hidden
// `strata-cli __complete` that the bash completion asks.
#include "CliSupport.h"

#include "hub/HubCache.h"
#include "util/ManPage.h"

#include <QCoreApplication>

namespace strata::cli {

QString manPage(const CommandTable &table)
{
    ManPage m;
    m.name = QStringLiteral("strata-cli");
    m.summary = QStringLiteral("look inside GPT-style language models layer by layer, from the command line");
    m.synopsis << QStringLiteral("strata-cli COMMAND [OPTIONS]") << QStringLiteral("strata-cli COMMAND --help") << QStringLiteral("strata-cli --version");
    m.description << QStringLiteral("strata-cli is the scriptable side of Strata: it loads a model (a folder in Hugging Face layout, a .gguf file, a Hub id "
                                    "found in the local Hugging Face cache, or the bundled demo model) and computes what the Strata app shows: "
                                    "activations, attention heads and their roles, the logit lens, probes, comparisons and interventions "
                                    "(activation patching, ablation, steering). Output is text, or JSON with --json.")
                  << QStringLiteral("LOC, the value of --model, is a model folder, a .gguf file, org/name or org/name@revision of the local Hub "
                                    "cache, or demo (the default).");
    ManPage::Section commands;
    commands.title = QStringLiteral("Commands");
    for (const auto &[name, cmd] : table) {
        OptionSink p;
        if (cmd.options)
            cmd.options(p);
        commands.entries.append({QStringLiteral("\\fB%1\\fR").arg(ManPage::escape(name)), cmd.summary});
        for (const QCommandLineOption &o : p.options)
            commands.entries.append({ManPage::optionTerm(o), o.description(), true});
    }
    m.sections << commands;
    ManPage::Section env;
    env.title = QStringLiteral("Environment");
    env.entries = {
        {QStringLiteral("\\fBHF_ENDPOINT\\fR"), QStringLiteral("The Hub server for downloads (default https://huggingface.co).")},
        {QStringLiteral("\\fBHF_TOKEN\\fR, \\fBHUGGING_FACE_HUB_TOKEN\\fR"),
         QStringLiteral("A Hub token; it is sent to the endpoint's own host only, never to a host a redirect names.")},
        {QStringLiteral("\\fBHF_HUB_CACHE\\fR, \\fBHF_HOME\\fR"), QStringLiteral("Where the Hugging Face cache is, as huggingface_hub reads them.")}};
    env.entries += ManPage::strataEnvironment();
    m.sections << env;
    ManPage::Section exit;
    exit.title = QStringLiteral("Exit status");
    exit.entries = {{QStringLiteral("0"), QStringLiteral("Success.")},
                    {QStringLiteral("1"), QStringLiteral("The command failed: a bad input, file or model (the one error line says which).")},
                    {QStringLiteral("2"), QStringLiteral("A usage error: an unknown command or option.")}};
    exit.paragraphs << QStringLiteral("Every failure prints exactly one line, strata-cli: error: followed by what went wrong, on standard error, and "
                                      "leaves no partial output file.");
    m.sections << exit;
    ManPage::Section see;
    see.title = QStringLiteral("See also");
    see.paragraphs << QStringLiteral("strata(1)");
    m.sections << see;
    return m.toRoff(QCoreApplication::applicationVersion());
}

int complete(const CommandTable &table, const QStringList &args)
{
    const QString what = args.value(2);
    if (what == QLatin1String("commands")) {
        for (const auto &[name, cmd] : table)
            out() << name << "\n";
    } else if (what == QLatin1String("options")) {
        const auto it = table.find(args.value(3));
        if (it != table.end()) {
            OptionSink p;
            if (it->second.options)
                it->second.options(p);
            for (const QCommandLineOption &o : p.options)
                for (const QString &n : o.names())
                    out() << (n.size() == 1 ? "-" : "--") << n << "\n";
            out() << "--help\n";
        }
    } else if (what == QLatin1String("models")) {
        for (const HubCache::Entry &e : HubCache::listModels())
            out() << e.repoId << "\n";
    }
    out().flush();
    return 0;
}

} // namespace strata::cli
