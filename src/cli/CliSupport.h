#pragma once

// What every strata-cli command file shares: the command record, output, option helpers.
#include <QCommandLineOption>
#include <QCommandLineParser>
#include <QJsonValue>
#include <QList>
#include <QString>
#include <QTextStream>

#include <functional>
#include <map>
#include <memory>

namespace strata {
class LoadedModel;
}

namespace strata::cli {

// Collects a command's options, so that the parser, the man page and the completion read one list.
struct OptionSink
{
    QList<QCommandLineOption> options;
    void addOption(const QCommandLineOption &o) { options.append(o); }
};

struct Command
{
    QString summary;
    std::function<void(OptionSink &)> options;
    std::function<int(QCommandLineParser &)> run;
};
using CommandTable = std::map<QString, Command>;

QTextStream &out();
void printJson(const QJsonValue &v);
QString requireValue(const QCommandLineParser &p, const QString &name); // throws Error "missing --name."
int intValue(const QCommandLineParser &p, const QString &name, int fallback, int minimum);
// --name as a number in [minimum, maximum]; throws Error "--name must be <what>." otherwise (NaN included).
double doubleValue(const QCommandLineParser &p, const QString &name, double fallback, double minimum, double maximum, const QString &what);
std::unique_ptr<LoadedModel> loadModel(const QCommandLineParser &p); // --model, default demo
QCommandLineOption modelOption();

// strata-cli bench --patching: the batched sweep against one forward pass per cell, same run.
int benchPatching(LoadedModel &model, const QList<int> &lengths, int repeats);

// The man page of strata-cli from the command table, and answers for the bash completion
// (`strata-cli __complete commands|options CMD|models`). HelpCommands.cpp.
QString manPage(const CommandTable &table);
int complete(const CommandTable &table, const QStringList &arguments);

// Each family of commands adds itself to the table (one file each).
void addInterventionCommands(CommandTable &table); // patch, ablate
void addTrainCommand(CommandTable &table);         // train
void addGgufCommands(CommandTable &table);         // gguf-random
void addComputeCommands(CommandTable &table);      // faithfulness
void addReportCommand(CommandTable &table);        // report
void addBatchCommands(CommandTable &table);        // batch, batch-merge, slurm
void addBenchCommand(CommandTable &table);         // bench
void addAnalysisCommands(CommandTable &table);     // heads, lens, similarity, pca, syntax, probe
void addCompareCommand(CommandTable &table);       // compare

} // namespace strata::cli
