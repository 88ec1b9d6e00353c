// strata-cli slurm: a batch as a Slurm job array (one task per shard) and a merge job after it.
#include "CliSupport.h"

#include "batch/BatchSpec.h"
#include "util/Error.h"

#include <QCoreApplication>
#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QJsonObject>
#include <QProcess>
#include <QRegularExpression>
#include <QSaveFile>

namespace strata::cli {

namespace {

// A word for bash: single-quoted, with ' written as '\''.
QString shellQuote(const QString &s)
{
    QString q = s;
    q.replace(QLatin1Char('\''), QStringLiteral("'\\''"));
    return QLatin1Char('\'') + q + QLatin1Char('\'');
}

void writeScript(const QString &path, const QString &text)
{
    QSaveFile f(path);
    if (!f.open(QIODevice::WriteOnly) || f.write(text.toUtf8()) < 0 || !f.commit())
        throw Error(QStringLiteral("Cannot write %1: %2").arg(QDir::toNativeSeparators(path), f.errorString()));
    QFile::setPermissions(path, QFile::permissions(path) | QFileDevice::ExeOwner | QFileDevice::ExeUser);
}

// A Slurm option value must not smuggle in a newline or a second directive.
QString checkedValue(const QCommandLineParser &p, const QString &name)
{
    const QString v = p.value(name);
    static const QRegularExpression ok(QStringLiteral("^[A-Za-z0-9_.:,=+@%/-]+$"));
    if (!ok.match(v).hasMatch())
        throw Error(QStringLiteral("--%1 '%2' is not a Slurm value (letters, digits and _.:,=+@%/- only).").arg(name, v));
    return v;
}

// sbatch --parsable prints "JOBID" or "JOBID;CLUSTER".
QString submit(const QString &sbatch, const QStringList &args)
{
    QProcess proc;
    proc.start(sbatch, args);
    if (!proc.waitForStarted())
        throw Error(
            QStringLiteral("Cannot run %1 (%2): is Slurm installed here? --dry-run writes the scripts without submitting.").arg(sbatch, proc.errorString()));
    proc.waitForFinished(120000);
    const QString stdoutText = QString::fromLocal8Bit(proc.readAllStandardOutput()).trimmed();
    const QString stderrText = QString::fromLocal8Bit(proc.readAllStandardError()).trimmed();
    const QString id = stdoutText.section(QLatin1Char(';'), 0, 0).trimmed();
    static const QRegularExpression number(QStringLiteral("^\\d+$"));
    if (proc.exitStatus() != QProcess::NormalExit || proc.exitCode() != 0 || !number.match(id).hasMatch())
        throw Error(QStringLiteral("%1 %2 failed (exit %3): %4")
                        .arg(sbatch, args.join(QLatin1Char(' ')))
                        .arg(proc.exitCode())
                        .arg(stderrText.isEmpty() ? stdoutText : stderrText));
    return id;
}

int cmdSlurm(QCommandLineParser &p)
{
    const QStringList pos = p.positionalArguments();
    if (pos.size() != 2)
        throw Error(QStringLiteral("usage: strata-cli slurm SPEC --out DIR --shards N [--partition P --time T --mem M --cpus C] [--dry-run]"));
    const BatchSpec spec = BatchSpec::load(pos[1]); // refused here, not in N failed tasks
    const QString outDir = QFileInfo(requireValue(p, QStringLiteral("out"))).absoluteFilePath();
    const int shards = intValue(p, QStringLiteral("shards"), -1, 1);
    if (shards < 1)
        throw Error(QStringLiteral("missing --shards N."));
    const int workers = intValue(p, QStringLiteral("workers"), 1, 1);
    const int cpus = intValue(p, QStringLiteral("cpus"), workers, 1);
    const QString into = QFileInfo(p.isSet(QStringLiteral("into")) ? p.value(QStringLiteral("into")) : QDir(outDir).filePath(QStringLiteral("merged.strata")))
                             .absoluteFilePath();
    if (!QDir().mkpath(QDir(outDir).filePath(QStringLiteral("logs"))))
        throw Error(QStringLiteral("Cannot create %1.").arg(QDir::toNativeSeparators(outDir)));

    QString directives = QStringLiteral("#SBATCH --cpus-per-task=%1\n").arg(cpus);
    for (const auto &[option, directive] :
         {std::pair{QStringLiteral("partition"), QStringLiteral("partition")}, std::pair{QStringLiteral("time"), QStringLiteral("time")},
          std::pair{QStringLiteral("mem"), QStringLiteral("mem")}, std::pair{QStringLiteral("account"), QStringLiteral("account")}})
        if (p.isSet(option))
            directives += QStringLiteral("#SBATCH --%1=%2\n").arg(directive, checkedValue(p, option));
    const QString cli = shellQuote(QCoreApplication::applicationFilePath());
    QString jobName = spec.name;
    jobName.replace(QRegularExpression(QStringLiteral("[^A-Za-z0-9_.-]")), QStringLiteral("_"));
    const QString logs = QDir(outDir).filePath(QStringLiteral("logs"));
    const QString batchScript = QDir(outDir).filePath(QStringLiteral("batch.sbatch"));
    const QString mergeScript = QDir(outDir).filePath(QStringLiteral("merge.sbatch"));
    writeScript(batchScript,
                QStringLiteral("#!/bin/bash\n"
                               "# Written by strata-cli slurm: one array task per shard of %1. A failed task resumes where it stopped\n"
                               "# when submitted again alone: sbatch --array=I %2\n"
                               "#SBATCH --job-name=strata-%3\n"
                               "#SBATCH --array=0-%4\n"
                               "#SBATCH --output=%5/shard-%a.out\n"
                               "%6"
                               "set -eu\n"
                               "export STRATA_THREADS=\"${STRATA_THREADS:-$(( ${SLURM_CPUS_PER_TASK:-1} / %7 > 0 ? ${SLURM_CPUS_PER_TASK:-1} / %7 : 1 ))}\"\n"
                               "exec %8 batch %9 --out %10 --shard \"${SLURM_ARRAY_TASK_ID}/%11\" --workers %7\n")
                    .arg(spec.path, batchScript, jobName)
                    .arg(shards - 1)
                    .arg(logs, directives)
                    .arg(workers)
                    .arg(cli, shellQuote(spec.path), shellQuote(outDir))
                    .arg(shards));
    QString mergeDirectives = directives;
    mergeDirectives.replace(QRegularExpression(QStringLiteral("--cpus-per-task=\\d+")), QStringLiteral("--cpus-per-task=1"));
    writeScript(mergeScript, QStringLiteral("#!/bin/bash\n"
                                            "# Written by strata-cli slurm: merges the shards of %1 once every array task succeeded.\n"
                                            "#SBATCH --job-name=strata-%2-merge\n"
                                            "#SBATCH --output=%3/merge.out\n"
                                            "%4"
                                            "set -eu\n"
                                            "exec %5 batch-merge %6 --into %7 --spec %8\n")
                                 .arg(spec.path, jobName, logs, mergeDirectives, cli, shellQuote(outDir), shellQuote(into), shellQuote(spec.path)));
    if (p.isSet(QStringLiteral("dry-run"))) {
        out() << "wrote " << QDir::toNativeSeparators(batchScript) << " (array of " << shards << " tasks) and " << QDir::toNativeSeparators(mergeScript)
              << "; submit with:\n  jid=$(sbatch --parsable " << batchScript << ")\n  sbatch --dependency=afterok:$jid " << mergeScript << "\n";
        return 0;
    }
    const QString sbatch = p.isSet(QStringLiteral("sbatch")) ? p.value(QStringLiteral("sbatch")) : QStringLiteral("sbatch");
    const QString arrayId = submit(sbatch, {QStringLiteral("--parsable"), batchScript});
    const QString mergeId = submit(sbatch, {QStringLiteral("--parsable"), QStringLiteral("--dependency=afterok:%1").arg(arrayId), mergeScript});
    if (p.isSet(QStringLiteral("json"))) {
        printJson(QJsonObject{{QStringLiteral("array_job"), arrayId},
                              {QStringLiteral("merge_job"), mergeId},
                              {QStringLiteral("shards"), shards},
                              {QStringLiteral("batch_script"), batchScript},
                              {QStringLiteral("merge_script"), mergeScript},
                              {QStringLiteral("into"), into}});
        return 0;
    }
    out() << "array job " << arrayId << " (" << shards << " tasks, logs in " << QDir::toNativeSeparators(logs) << ")\n"
          << "merge job " << mergeId << " (after every task succeeded) -> " << QDir::toNativeSeparators(into) << "\n"
          << "a failed task I: sbatch --array=I " << batchScript << ", then sbatch --dependency=afterok:NEWID " << mergeScript << "\n";
    return 0;
}

} // namespace

void addSlurmCommand(CommandTable &table)
{
    table[QStringLiteral("slurm")] = {
        QStringLiteral("Submit a batch spec to Slurm as a job array (one task per shard) and a dependent merge job"),
        [](OptionSink &p) {
            p.addOption({QStringLiteral("out"), QStringLiteral("Folder for the shard files, scripts and logs (on a file system every node sees)"),
                         QStringLiteral("DIR")});
            p.addOption({QStringLiteral("shards"), QStringLiteral("Number of shards = array tasks"), QStringLiteral("N")});
            p.addOption({QStringLiteral("into"), QStringLiteral("Workspace the merge job writes (default DIR/merged.strata)"), QStringLiteral("FILE")});
            p.addOption({QStringLiteral("workers"), QStringLiteral("Worker processes per task (default 1)"), QStringLiteral("K")});
            p.addOption({QStringLiteral("cpus"), QStringLiteral("CPUs per task (default: the workers)"), QStringLiteral("C")});
            p.addOption({QStringLiteral("partition"), QStringLiteral("Slurm partition"), QStringLiteral("P")});
            p.addOption({QStringLiteral("time"), QStringLiteral("Time limit per task, e.g. 01:00:00"), QStringLiteral("T")});
            p.addOption({QStringLiteral("mem"), QStringLiteral("Memory per task, e.g. 8G"), QStringLiteral("M")});
            p.addOption({QStringLiteral("account"), QStringLiteral("Slurm account"), QStringLiteral("A")});
            p.addOption({QStringLiteral("dry-run"), QStringLiteral("Write the scripts, submit nothing")});
            p.addOption({QStringLiteral("sbatch"), QStringLiteral("The sbatch program (default: sbatch on PATH)"), QStringLiteral("PROG")});
            p.addOption({QStringLiteral("json"), QStringLiteral("Print the job ids as JSON")});
        },
        cmdSlurm};
}

} // namespace strata::cli
