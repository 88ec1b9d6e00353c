#include "ProbeData.h"

#include "util/Error.h"

#include <QFile>
#include <QFileInfo>
#include <QSet>

#include <algorithm>
#include <numeric>

namespace strata::ProbeData {

namespace {
struct TaskRow
{
    ProbeTask task;
    const char *name;
};
constexpr TaskRow kTasks[] = {{ProbeTask::Upos, "upos"},
                              {ProbeTask::Xpos, "xpos"},
                              {ProbeTask::Deprel, "deprel"},
                              {ProbeTask::HeadDistance, "headdist"},
                              {ProbeTask::Sentence, "sentence"}};

} // namespace

QStringList splitCsv(const QString &line, QChar sep)
{
    QStringList out;
    QString cur;
    bool quoted = false;
    for (int i = 0; i < line.size(); ++i) {
        const QChar c = line[i];
        if (quoted) {
            if (c == QLatin1Char('"') && i + 1 < line.size() && line[i + 1] == QLatin1Char('"')) {
                cur += c;
                ++i;
            } else if (c == QLatin1Char('"')) {
                quoted = false;
            } else {
                cur += c;
            }
        } else if (c == QLatin1Char('"') && cur.isEmpty()) {
            quoted = true;
        } else if (c == sep) {
            out << cur;
            cur.clear();
        } else {
            cur += c;
        }
    }
    out << cur;
    return out;
}

QString taskName(ProbeTask t)
{
    for (const auto &r : kTasks)
        if (r.task == t)
            return QString::fromLatin1(r.name);
    return {};
}

bool taskFromName(const QString &name, ProbeTask *out)
{
    for (const auto &r : kTasks)
        if (name.compare(QLatin1String(r.name), Qt::CaseInsensitive) == 0) {
            *out = r.task;
            return true;
        }
    return false;
}

QStringList wordTaskNames()
{
    return {QStringLiteral("upos"), QStringLiteral("xpos"), QStringLiteral("deprel"), QStringLiteral("headdist")};
}

ProbeDataset loadConllU(const QString &path, int maxSentences)
{
    ConllFile f = ConllU::load(path, maxSentences);
    if (f.sentences.empty())
        throw Error(QStringLiteral("%1 holds no usable CoNLL-U sentence%2")
                        .arg(path, f.problems.isEmpty() ? QStringLiteral(".") : QStringLiteral(" (first problem: %1).").arg(f.problems.first())));
    ProbeDataset d;
    d.path = path;
    d.sentences = std::move(f.sentences);
    d.problems = f.problems;
    return d;
}

ProbeDataset loadLabelledSentences(const QString &path, int maxSentences)
{
    QFile f(path);
    if (!f.open(QIODevice::ReadOnly | QIODevice::Text))
        throw Error(QStringLiteral("Cannot read %1: %2.").arg(path, f.errorString()));
    const QChar sep = path.endsWith(QLatin1String(".tsv"), Qt::CaseInsensitive) ? QLatin1Char('\t') : QLatin1Char(',');
    ProbeDataset d;
    d.path = path;
    int lineNo = 0;
    while (!f.atEnd()) {
        const QString line = QString::fromUtf8(f.readLine()).trimmed();
        ++lineNo;
        if (line.isEmpty() || line.startsWith(QLatin1Char('#')))
            continue;
        const QStringList cols = splitCsv(line, sep);
        if (lineNo == 1 && cols.size() == 2 && cols[0].trimmed().compare(QLatin1String("label"), Qt::CaseInsensitive) == 0)
            continue; // header
        if (cols.size() != 2 || cols[0].trimmed().isEmpty() || cols[1].trimmed().isEmpty()) {
            d.problems << QStringLiteral("%1:%2: expected two columns, a label and a text, separated by '%3'")
                              .arg(path)
                              .arg(lineNo)
                              .arg(sep == QLatin1Char('\t') ? QStringLiteral("\\t") : QString(sep));
            continue;
        }
        ConllSentence s;
        s.id = QString::number(lineNo);
        s.text = cols[1].trimmed();
        d.sentences.push_back(std::move(s));
        d.sentenceLabels << cols[0].trimmed();
        if (maxSentences > 0 && int(d.sentences.size()) >= maxSentences)
            break;
    }
    if (d.sentences.empty())
        throw Error(QStringLiteral("%1 holds no labelled sentence%2")
                        .arg(path, d.problems.isEmpty() ? QStringLiteral(".") : QStringLiteral(" (first problem: %1).").arg(d.problems.first())));
    return d;
}

ProbeDataset load(const QString &path, int maxSentences)
{
    if (!QFileInfo::exists(path))
        throw Error(QStringLiteral("%1 does not exist.").arg(path));
    return path.endsWith(QLatin1String(".conllu"), Qt::CaseInsensitive) ? loadConllU(path, maxSentences) : loadLabelledSentences(path, maxSentences);
}

QString headDistanceBucket(int dependent, int head)
{
    if (head == 0)
        return QStringLiteral("root");
    const int d = head - dependent;
    if (d <= -4)
        return QStringLiteral("<=-4");
    if (d >= 4)
        return QStringLiteral(">=+4");
    return d < 0 ? QString::number(d) : QStringLiteral("+%1").arg(d);
}

QString wordLabel(const ConllSentence &s, int w, ProbeTask task)
{
    const ConllWord &word = s.words[size_t(w)];
    switch (task) {
    case ProbeTask::Upos:
        return word.upos;
    case ProbeTask::Xpos:
        return word.xpos;
    case ProbeTask::Deprel:
        return word.deprel.section(QLatin1Char(':'), 0, 0); // universal relation, without subtype
    case ProbeTask::HeadDistance:
        return headDistanceBucket(w + 1, word.head);
    case ProbeTask::Sentence:
        break;
    }
    return {};
}

int controlLabel(const QString &form, const std::vector<double> &distribution, unsigned seed)
{
    // FNV-1a over the lower-cased UTF-8 form and the seed: stable across runs and platforms.
    quint64 h = 1469598103934665603ull ^ seed;
    for (const char c : form.toLower().toUtf8()) {
        h ^= quint64(static_cast<unsigned char>(c));
        h *= 1099511628211ull;
    }
    h ^= h >> 33;
    h *= 0xff51afd7ed558ccdull;
    h ^= h >> 33;
    const double total = std::accumulate(distribution.begin(), distribution.end(), 0.0);
    double u = double(h >> 11) / double(1ull << 53) * total;
    for (size_t i = 0; i < distribution.size(); ++i) {
        if (u < distribution[i])
            return int(i);
        u -= distribution[i];
    }
    return int(distribution.size()) - 1;
}

double accuracy(const std::vector<int> &gold, const std::vector<int> &pred)
{
    if (gold.empty() || gold.size() != pred.size())
        return 0;
    size_t ok = 0;
    for (size_t i = 0; i < gold.size(); ++i)
        ok += gold[i] == pred[i];
    return double(ok) / double(gold.size());
}

double macroF1(const std::vector<int> &gold, const std::vector<int> &pred, int classes)
{
    // Gold -1 marks a label never seen in training: wrong whatever is predicted.
    std::vector<int> tp(size_t(classes), 0), fp(size_t(classes), 0), fn(size_t(classes), 0);
    for (size_t i = 0; i < gold.size() && i < pred.size(); ++i) {
        if (gold[i] == pred[i]) {
            ++tp[size_t(gold[i])];
            continue;
        }
        if (pred[i] >= 0)
            ++fp[size_t(pred[i])];
        if (gold[i] >= 0)
            ++fn[size_t(gold[i])];
    }
    double sum = 0;
    int n = 0;
    for (int c = 0; c < classes; ++c) {
        if (tp[size_t(c)] + fp[size_t(c)] + fn[size_t(c)] == 0)
            continue;
        sum += 2.0 * tp[size_t(c)] / double(2 * tp[size_t(c)] + fp[size_t(c)] + fn[size_t(c)]);
        ++n;
    }
    return n ? sum / n : 0;
}

std::vector<int> confusion(const std::vector<int> &gold, const std::vector<int> &pred, int classes)
{
    std::vector<int> m(size_t(classes) * size_t(classes), 0);
    for (size_t i = 0; i < gold.size() && i < pred.size(); ++i)
        if (gold[i] >= 0 && pred[i] >= 0)
            ++m[size_t(gold[i]) * size_t(classes) + size_t(pred[i])];
    return m;
}

double expectedLayer(const std::vector<double> &acc)
{
    double num = 0, den = 0;
    for (size_t l = 0; l < acc.size(); ++l) {
        num += double(l) * acc[l];
        den += acc[l];
    }
    return den > 0 ? num / den : 0;
}

double gainWeightedLayer(const std::vector<double> &acc)
{
    double num = 0, den = 0;
    for (size_t l = 1; l < acc.size(); ++l) {
        const double gain = std::max(0.0, acc[l] - acc[l - 1]);
        num += double(l) * gain;
        den += gain;
    }
    return den > 0 ? num / den : 0;
}

} // namespace strata::ProbeData
