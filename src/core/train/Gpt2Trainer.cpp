#include "util/TorchInclude.h" // first: shields torch from Qt's `slots`

#include "Gpt2Trainer.h"

#include "Gpt2TrainModel.h"
#include "TrainingData.h"

#include "analysis/HeadMetrics.h"
#include "jobs/JobControl.h"
#include "tensor/SafetensorsReader.h"
#include "tokenize/BpeTrainer.h"
#include "tokenize/ByteLevelBpeTokenizer.h"
#include "util/Error.h"

#include <QDir>
#include <QElapsedTimer>
#include <QFile>
#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QSaveFile>
#include <QTextStream>

#include <cmath>
#include <random>

namespace strata {

namespace {

QString readCorpus(const QStringList &files, int64_t maxBytes)
{
    QString all;
    for (const QString &f : files) {
        QFile file(f);
        if (!file.open(QIODevice::ReadOnly))
            throw Error(QStringLiteral("Cannot read the training text %1: %2.").arg(f, file.errorString()));
        all += QString::fromUtf8(file.readAll());
        all += QLatin1Char('\n');
        if (maxBytes > 0 && all.size() > maxBytes) {
            all.truncate(qsizetype(maxBytes));
            break;
        }
    }
    if (all.trimmed().isEmpty())
        throw Error(QStringLiteral("The training text is empty."));
    return all;
}

double lrAt(const TrainConfig &c, int step)
{
    if (step < c.warmup)
        return c.lr * (step + 1) / c.warmup;
    const double progress = double(step - c.warmup) / std::max(1, c.steps - c.warmup);
    const double minLr = c.lr / 10;
    return minLr + 0.5 * (c.lr - minLr) * (1 + std::cos(M_PI * std::min(1.0, progress)));
}

// Turns CPU autocast to bfloat16 on for one scope (as torch.autocast("cpu") does): matrix products
// run in bfloat16 through oneDNN, reductions, softmax and norms stay float32.
class AutocastScope
{
public:
    explicit AutocastScope(bool on) : m_on(on)
    {
        if (!m_on)
            return;
        m_prevDtype = at::autocast::get_autocast_cpu_dtype();
        at::autocast::set_autocast_cpu_dtype(at::kBFloat16);
        at::autocast::set_cpu_enabled(true);
        at::autocast::increment_nesting();
    }
    ~AutocastScope()
    {
        if (!m_on)
            return;
        if (at::autocast::decrement_nesting() == 0)
            at::autocast::clear_cache();
        at::autocast::set_cpu_enabled(false);
        at::autocast::set_autocast_cpu_dtype(m_prevDtype);
    }
    AutocastScope(const AutocastScope &) = delete;
    AutocastScope &operator=(const AutocastScope &) = delete;

private:
    bool m_on;
    at::ScalarType m_prevDtype = at::kBFloat16;
};

} // namespace

QString trainLogCsv(const std::vector<TrainLogRow> &rows)
{
    QString csv;
    QTextStream ls(&csv);
    ls << "step,train_loss,val_loss,best_previous_token,best_induction,induction_loss_drop,seconds,previous_layer,previous_head,induction_layer,"
          "induction_head\n";
    for (const TrainLogRow &r : rows)
        ls << r.step << ',' << r.trainLoss << ',' << r.valLoss << ',' << r.bestPrevious << ',' << r.bestInduction << ',' << r.inductionLossDrop << ','
           << r.seconds << ',' << r.previousLayer << ',' << r.previousHead << ',' << r.inductionLayer << ',' << r.inductionHead << '\n';
    ls.flush();
    return csv;
}

std::vector<TrainLogRow> readTrainLogCsv(const QString &path)
{
    QFile f(path);
    if (!f.open(QIODevice::ReadOnly | QIODevice::Text))
        throw Error(QStringLiteral("Cannot read the training log %1: %2.").arg(path, f.errorString()));
    if (f.size() > 64 * 1024 * 1024)
        throw Error(QStringLiteral("The training log %1 is larger than 64 MB; it is not a log Strata wrote.").arg(path));
    const QStringList lines = QString::fromUtf8(f.readAll()).split(QLatin1Char('\n'), Qt::SkipEmptyParts);
    if (lines.isEmpty() || !lines.first().startsWith(QLatin1String("step,train_loss,val_loss,best_previous_token,best_induction")))
        throw Error(QStringLiteral("%1 is not a Strata training log (its header is not step,train_loss,val_loss,...).").arg(path));
    std::vector<TrainLogRow> rows;
    for (int i = 1; i < lines.size(); ++i) {
        const QStringList c = lines[i].trimmed().split(QLatin1Char(','));
        bool ok = c.size() == 7 || c.size() == 11;
        std::vector<double> v;
        for (const QString &x : c) {
            bool good = false;
            v.push_back(x.toDouble(&good));
            ok = ok && good && std::isfinite(v.back());
        }
        if (!ok)
            throw Error(QStringLiteral("%1, line %2: expected 7 or 11 numbers, found \"%3\".").arg(path).arg(i + 1).arg(lines[i].left(80)));
        // The step and the layer/head columns are whole numbers that fit an int (found by fuzzing:
        // converting -8.9e23 to int is undefined behaviour).
        for (size_t k : {size_t(0), size_t(7), size_t(8), size_t(9), size_t(10)})
            if (k < v.size() && (std::abs(v[k]) > 1e9 || v[k] != std::floor(v[k])))
                throw Error(QStringLiteral("%1, line %2: column %3 must be a whole number, found %4.").arg(path).arg(i + 1).arg(k + 1).arg(c[int(k)]));
        TrainLogRow r{int(v[0]), v[1], v[2], v[3], v[4], v[5], v[6]};
        if (v.size() == 11) {
            r.previousLayer = int(v[7]);
            r.previousHead = int(v[8]);
            r.inductionLayer = int(v[9]);
            r.inductionHead = int(v[10]);
        }
        rows.push_back(r);
    }
    return rows;
}

struct Gpt2Trainer::Impl
{};

Gpt2Trainer::Gpt2Trainer(TrainConfig config, LogFn log) : m_config(std::move(config)), m_log(std::move(log)) {}
Gpt2Trainer::~Gpt2Trainer() = default;

std::vector<TrainLogRow> Gpt2Trainer::run(const JobControl *control)
{
    const TrainConfig &c = m_config;
    auto log = [&](const QString &s) {
        if (m_log)
            m_log(s);
    };
    if (c.dModel % c.heads)
        throw Error(QStringLiteral("d_model %1 is not divisible by %2 heads.").arg(c.dModel).arg(c.heads));
    const bool text = c.task == TrainTask::Text;
    if (text && (c.vocabSize < 300 || c.vocabSize > 65536))
        throw Error(QStringLiteral("--vocab must be between 300 and 65536."));
    if (!text && (c.vocabSize < 8 || c.vocabSize > 256))
        throw Error(QStringLiteral("--vocab must be between 8 and 94 for the induction task (one printable character per token)."));
    const int probeN = c.probeLength > 0 ? c.probeLength : std::min(50, c.context / 2);
    if (2 * probeN > c.context)
        throw Error(QStringLiteral("The induction probe (2 x %1 tokens) does not fit a context of %2.").arg(probeN).arg(c.context));
    if (c.minPeriod < 1 || 2 * c.minPeriod > c.context || (c.maxPeriod > 0 && c.maxPeriod < c.minPeriod))
        throw Error(QStringLiteral("The repeat period must be between 1 and half the context (min %1, max %2).").arg(c.minPeriod).arg(c.maxPeriod));
    const QDir out(c.outDir);
    const QString ckptDir = out.filePath(QStringLiteral("checkpoint"));
    if (!QDir().mkpath(ckptDir))
        throw Error(QStringLiteral("Cannot create %1.").arg(ckptDir));
    QElapsedTimer clock;
    clock.start();

    // 1. Tokenizer: learned once, reused on resume.
    std::vector<int64_t> train, val;
    int V = 0;
    if (text) {
        const QString text = readCorpus(c.corpusFiles, c.maxCorpusBytes);
        ByteLevelBpeTokenizer tok;
        const QString vocabPath = QDir(ckptDir).filePath(QStringLiteral("vocab.json")), mergesPath = QDir(ckptDir).filePath(QStringLiteral("merges.txt"));
        if (!(c.resume && QFileInfo::exists(vocabPath))) {
            log(QStringLiteral("learning a %1-token byte-level BPE from %2 MB of text...").arg(c.vocabSize).arg(text.toUtf8().size() / 1e6, 0, 'f', 1));
            BpeTrainer bpe;
            bpe.addText(text);
            const BpeTrainer::Result r = bpe.train(c.vocabSize - 1, control); // the last id is <|endoftext|>
            BpeTrainer::save(r, ckptDir);
            log(QStringLiteral("  %1 word types, %2 merges, %3 s").arg(bpe.wordTypes()).arg(r.merges.size()).arg(clock.elapsed() / 1000.0, 0, 'f', 1));
        }
        tok.loadVocabAndMerges(vocabPath, mergesPath);
        V = int(tok.vocabSize());

        // 2. Data: the whole text tokenised, 95 % train / 5 % validation (the last 5 %).
        std::vector<int64_t> ids = tok.encodeIds(text);
        const size_t split = ids.size() * 95 / 100;
        train.assign(ids.begin(), ids.begin() + long(split));
        val.assign(ids.begin() + long(split), ids.end());
        log(QStringLiteral("%1 tokens (%2 train, %3 validation), %4 bytes per token")
                .arg(ids.size())
                .arg(train.size())
                .arg(val.size())
                .arg(double(text.toUtf8().size()) / double(ids.size()), 0, 'f', 2));
        if (int64_t(val.size()) < 4 * (c.context + 1))
            throw Error(QStringLiteral("The training text is too short for a context of %1 tokens.").arg(c.context));
    } else {
        // A byte-level vocabulary without merges (so the model loads like any GPT-2 and can be tried
        // on typed text); the task draws its tokens from the printable bytes '!' onwards.
        BpeTrainer::Result bytes;
        for (int b = 0; b < 256; ++b)
            bytes.tokens.push_back(QByteArray(1, char(b)));
        BpeTrainer::save(bytes, ckptDir);
        ByteLevelBpeTokenizer tok;
        tok.loadVocabAndMerges(QDir(ckptDir).filePath(QStringLiteral("vocab.json")), QDir(ckptDir).filePath(QStringLiteral("merges.txt")));
        V = int(tok.vocabSize());
        log(QStringLiteral("induction task: %1 random characters ('!' onwards), every row a segment repeated with a period of %2-%3")
                .arg(c.vocabSize)
                .arg(c.minPeriod)
                .arg(c.maxPeriod > 0 ? c.maxPeriod : c.context / 2));
    }
    RepeatSpec repeats;
    repeats.fraction = text ? c.repeatFraction : 1.0;
    repeats.minPeriod = c.minPeriod;
    repeats.maxPeriod = c.maxPeriod;
    repeats.tokenLo = text ? 0 : (c.vocabSize > 94 ? 0 : '!'); // Text: any token but <|endoftext|>
    repeats.tokenHi = text ? V - 2 : repeats.tokenLo + c.vocabSize - 1;
    // Curriculum for where the repeated segment sits: at the start of the row for the first third
    // of training (absolute positions then give the induction circuit a way to form; at a random
    // offset the loss stays on its plateau, docs/DEMO_MODEL.md), then after a prefix that grows to
    // maxPrefixShare of the row by two thirds, so the head learns to work anywhere.
    // The prefix and the share of text segments both follow rampAt: 0 for the first third of training,
    // 1 from two thirds on; evaluation batches (step >= 1'000'000) keep the segment at the start.
    auto rampAt = [&](int step) { return step >= 1'000'000 ? 0.0 : std::clamp((double(step) - c.steps / 3.0) / std::max(1.0, c.steps / 3.0), 0.0, 1.0); };

    // 3. Model and optimiser, or the checkpoint.
    train::Model m{c.layers, c.heads, c.dModel, c.context, V, {}, {}, {}, {}, {}};
    m.init(c.seed, c.sinusoidalPositions);
    std::vector<torch::Tensor> params = m.parameters();
    std::vector<torch::Tensor> decay, noDecay;
    for (const auto &[name, t] : m.named())
        (t.dim() >= 2 && !name.startsWith(QLatin1String("wpe")) ? decay : noDecay).push_back(t);
    torch::optim::AdamW opt({torch::optim::OptimizerParamGroup(decay, std::make_unique<torch::optim::AdamWOptions>(
                                                                          torch::optim::AdamWOptions(c.lr).betas({0.9, 0.95}).weight_decay(c.weightDecay))),
                             torch::optim::OptimizerParamGroup(noDecay, std::make_unique<torch::optim::AdamWOptions>(
                                                                            torch::optim::AdamWOptions(c.lr).betas({0.9, 0.95}).weight_decay(0.0)))});
    int startStep = 0;
    double secondsBefore = 0;
    std::vector<TrainLogRow> rows;
    const QString statePath = QDir(ckptDir).filePath(QStringLiteral("state.json"));
    if (c.resume && QFileInfo::exists(statePath)) {
        QFile sf(statePath);
        sf.open(QIODevice::ReadOnly);
        const QJsonObject st = QJsonDocument::fromJson(sf.readAll()).object();
        startStep = st.value(QLatin1String("step")).toInt();
        secondsBefore = st.value(QLatin1String("seconds")).toDouble();
        for (const QJsonValue &r : st.value(QLatin1String("log")).toArray()) {
            const QJsonObject o = r.toObject();
            rows.push_back({o.value(QLatin1String("step")).toInt(), o.value(QLatin1String("train_loss")).toDouble(),
                            o.value(QLatin1String("val_loss")).toDouble(), o.value(QLatin1String("best_previous")).toDouble(),
                            o.value(QLatin1String("best_induction")).toDouble(), o.value(QLatin1String("induction_loss_drop")).toDouble(),
                            o.value(QLatin1String("seconds")).toDouble()});
            const QJsonArray where = o.value(QLatin1String("where")).toArray();
            if (where.size() == 4) {
                rows.back().previousLayer = where[0].toInt();
                rows.back().previousHead = where[1].toInt();
                rows.back().inductionLayer = where[2].toInt();
                rows.back().inductionHead = where[3].toInt();
            }
        }
        std::vector<torch::Tensor> saved;
        torch::load(saved, QDir(ckptDir).filePath(QStringLiteral("params.pt")).toStdString());
        if (saved.size() != params.size())
            throw Error(QStringLiteral("The checkpoint in %1 was made with another model shape; delete it or drop --resume.").arg(ckptDir));
        {
            torch::NoGradGuard ng;
            for (size_t i = 0; i < params.size(); ++i) {
                if (saved[i].sizes() != params[i].sizes())
                    throw Error(QStringLiteral("The checkpoint in %1 was made with another model shape; delete it or drop --resume.").arg(ckptDir));
                params[i].copy_(saved[i]);
            }
        }
        torch::load(opt, QDir(ckptDir).filePath(QStringLiteral("optimizer.pt")).toStdString());
        log(QStringLiteral("resumed at step %1").arg(startStep));
    }

    auto saveCheckpoint = [&](int step) {
        std::vector<torch::Tensor> copy;
        for (const auto &p : params)
            copy.push_back(p.detach().clone());
        torch::save(copy, QDir(ckptDir).filePath(QStringLiteral("params.pt.tmp")).toStdString());
        torch::save(opt, QDir(ckptDir).filePath(QStringLiteral("optimizer.pt.tmp")).toStdString());
        QJsonArray logArr;
        for (const TrainLogRow &r : rows)
            logArr.append(QJsonObject{{QStringLiteral("step"), r.step},
                                      {QStringLiteral("train_loss"), r.trainLoss},
                                      {QStringLiteral("val_loss"), r.valLoss},
                                      {QStringLiteral("best_previous"), r.bestPrevious},
                                      {QStringLiteral("best_induction"), r.bestInduction},
                                      {QStringLiteral("induction_loss_drop"), r.inductionLossDrop},
                                      {QStringLiteral("seconds"), r.seconds},
                                      {QStringLiteral("where"), QJsonArray{r.previousLayer, r.previousHead, r.inductionLayer, r.inductionHead}}});
        QSaveFile sf(statePath);
        sf.open(QIODevice::WriteOnly);
        sf.write(QJsonDocument(QJsonObject{{QStringLiteral("step"), step},
                                           {QStringLiteral("seconds"), secondsBefore + clock.elapsed() / 1000.0},
                                           {QStringLiteral("log"), logArr}})
                     .toJson());
        // Replace the pair only once both files are complete, so a kill mid-save keeps the last good one.
        for (const char *n : {"params.pt", "optimizer.pt"}) {
            const QString dst = QDir(ckptDir).filePath(QString::fromLatin1(n));
            QFile::remove(dst);
            QFile::rename(dst + QStringLiteral(".tmp"), dst);
        }
        if (!sf.commit())
            throw Error(QStringLiteral("Cannot write %1 (disk full?).").arg(statePath));
    };

    // Deterministic batch for step s (TrainingData.h): natural windows, and a share ending in a tiled
    // random segment; for the induction task random tokens only, every row tiled.
    auto batchFor = [&](int step, const std::vector<int64_t> &source, int batch, bool allowRepeats) {
        std::mt19937_64 rng(c.seed * 1000003ull + uint64_t(step));
        RepeatSpec spec = repeats;
        const double ramp = rampAt(step);
        spec.maxPrefixShare = c.maxPrefixShare * ramp;
        // Natural-text segments come in with the prefix (half of the repeated rows by two thirds):
        // an induction head formed on random tokens alone does not copy text (measured: the demo
        // model's second copy of a sentence was predicted worse than the first).
        spec.naturalShare = c.maxPrefixShare > 0 ? c.naturalRepeatShare * ramp : 0.0;
        // Warm-up on the induction task alone: random tokens, every row tiled from its start.
        const bool inductionOnly = step < c.inductionSteps && allowRepeats;
        if (inductionOnly)
            spec.fraction = 1.0;
        static const std::vector<int64_t> none;
        torch::Tensor x = torch::empty({batch, c.context + 1}, torch::kLong);
        for (int b = 0; b < batch; ++b)
            fillTrainingRow(rng, inductionOnly ? none : source, x.data_ptr<int64_t>() + int64_t(b) * (c.context + 1), c.context + 1, spec, allowRepeats);
        return x;
    };

    auto evaluate = [&](int step, double trainLoss) {
        torch::NoGradGuard ng;
        TrainLogRow row;
        row.step = step;
        row.trainLoss = trainLoss;
        double vl = 0;
        const int evalBatches = 8;
        for (int i = 0; i < evalBatches; ++i) {
            const torch::Tensor x = batchFor(1'000'000 + i, val, 16, !text);
            const torch::Tensor logits = m.forward(x.narrow(1, 0, c.context));
            vl += torch::cross_entropy_loss(logits.reshape({-1, V}), x.narrow(1, 1, c.context).reshape({-1})).item<double>() / evalBatches;
        }
        row.valLoss = vl;
        // Head scores: previous-token on held-out text (random tokens for the induction task),
        // induction on n random tokens written twice.
        const torch::Tensor nat = batchFor(2'000'000, val, 1, false).narrow(1, 0, c.context);
        std::vector<torch::Tensor> attn;
        m.forward(nat, &attn);
        std::vector<int64_t> natIds(nat.data_ptr<int64_t>(), nat.data_ptr<int64_t>() + c.context);
        for (size_t l = 0; l < attn.size(); ++l)
            for (int h = 0; h < c.heads; ++h) {
                const torch::Tensor ah = attn[l][0][h].contiguous();
                const std::vector<float> v(ah.data_ptr<float>(), ah.data_ptr<float>() + ah.numel());
                const double score = HeadMetrics::scoreHead(v, c.context, natIds).previousToken;
                if (score > row.bestPrevious) {
                    row.bestPrevious = score;
                    row.previousLayer = int(l);
                    row.previousHead = h;
                }
            }
        const int n = probeN;
        double induction[64][64] = {};
        double lossFirst = 0, lossSecond = 0;
        const int probes = 4;
        for (int s = 0; s < probes; ++s) {
            const std::vector<int64_t> probe = inductionProbe(c.seed + 77 + uint64_t(s), n, repeats.tokenLo, repeats.tokenHi);
            const torch::Tensor seq = torch::tensor(probe, torch::kLong).view({1, 2 * n});
            attn.clear();
            const torch::Tensor logits = m.forward(seq, &attn);
            const torch::Tensor lp = torch::log_softmax(logits[0], -1);
            for (int i = 0; i < n - 1; ++i) {
                lossFirst -= lp[i][seq[0][i + 1].item<int64_t>()].item<double>() / (n - 1) / probes;
                lossSecond -= lp[n + i][seq[0][n + i + 1].item<int64_t>()].item<double>() / (n - 1) / probes;
            }
            for (size_t l = 0; l < attn.size() && l < 64; ++l)
                for (int h = 0; h < c.heads && h < 64; ++h) {
                    const torch::Tensor ah = attn[l][0][h].contiguous();
                    const std::vector<float> v(ah.data_ptr<float>(), ah.data_ptr<float>() + ah.numel());
                    induction[l][h] += HeadMetrics::inductionScore(v, 2 * n, 0, n) / probes;
                }
        }
        for (int l = 0; l < std::min(64, c.layers); ++l)
            for (int h = 0; h < std::min(64, c.heads); ++h)
                if (induction[l][h] > row.bestInduction) {
                    row.bestInduction = induction[l][h];
                    row.inductionLayer = l;
                    row.inductionHead = h;
                }
        row.inductionLossDrop = lossFirst - lossSecond;
        row.seconds = secondsBefore + clock.elapsed() / 1000.0;
        log(QStringLiteral("step %1: train loss %2, val loss %3, best previous-token %4 (L%5H%6), best induction %7 (L%8H%9), copy-loss drop %10, %11 s")
                .arg(step)
                .arg(trainLoss, 0, 'f', 3)
                .arg(row.valLoss, 0, 'f', 3)
                .arg(row.bestPrevious, 0, 'f', 3)
                .arg(row.previousLayer)
                .arg(row.previousHead)
                .arg(row.bestInduction, 0, 'f', 3)
                .arg(row.inductionLayer)
                .arg(row.inductionHead)
                .arg(row.inductionLossDrop, 0, 'f', 2)
                .arg(row.seconds, 0, 'f', 0));
        rows.push_back(row);
    };

    // 4. Training. STRATA_TRAIN_DUMP=FILE appends every step's batch (int64, [batch, context + 1]) to
    // FILE, so an independent trainer can be run on exactly the same data (tests/reference).
    const QString dumpPath = qEnvironmentVariable("STRATA_TRAIN_DUMP");
    double lossSum = 0;
    int lossCount = 0;
    QElapsedTimer stepClock;
    stepClock.start();
    for (int step = startStep; step < c.steps; ++step) {
        if (control && control->isCancelled()) {
            saveCheckpoint(step);
            log(QStringLiteral("stopped at step %1; checkpoint saved, resume with --resume").arg(step));
            throw Cancelled();
        }
        const double lr = lrAt(c, step);
        for (auto &g : opt.param_groups())
            static_cast<torch::optim::AdamWOptions &>(g.options()).lr(lr);
        const torch::Tensor x = batchFor(step, train, c.batch, true);
        if (!dumpPath.isEmpty()) {
            QFile dump(dumpPath);
            if (dump.open(QIODevice::Append))
                dump.write(reinterpret_cast<const char *>(x.data_ptr<int64_t>()), qint64(x.numel() * 8));
        }
        torch::Tensor loss;
        {
            AutocastScope autocast(c.autocastBf16);
            const torch::Tensor logits = m.forward(x.narrow(1, 0, c.context)).to(torch::kFloat);
            loss = torch::cross_entropy_loss(logits.reshape({-1, V}), x.narrow(1, 1, c.context).reshape({-1}));
        }
        opt.zero_grad();
        loss.backward();
        torch::nn::utils::clip_grad_norm_(params, c.clip);
        opt.step();
        lossSum += loss.item<double>();
        ++lossCount;
        if (control)
            control->report(double(step + 1) / c.steps, QStringLiteral("step %1/%2, loss %3, %4 ms/step")
                                                            .arg(step + 1)
                                                            .arg(c.steps)
                                                            .arg(lossSum / lossCount, 0, 'f', 3)
                                                            .arg(double(stepClock.restart()), 0, 'f', 0));
        if ((step + 1) % c.evalEvery == 0 || step + 1 == c.steps) {
            evaluate(step + 1, lossSum / std::max(1, lossCount));
            lossSum = 0;
            lossCount = 0;
        }
        if ((step + 1) % c.checkpointEvery == 0)
            saveCheckpoint(step + 1);
    }
    saveCheckpoint(c.steps);

    // 5. Export as a Hugging Face GPT-2 folder.
    std::vector<NamedTensor> tensors;
    for (const auto &[name, t] : m.named()) {
        const torch::Tensor f = t.detach().contiguous();
        tensors.push_back({name, HostTensor::fromFloats(std::vector<int64_t>(f.sizes().begin(), f.sizes().end()), f.data_ptr<float>())});
    }
    writeSafetensors(out.filePath(QStringLiteral("model.safetensors")), tensors, {{QStringLiteral("format"), QStringLiteral("pt")}});
    const QJsonObject cfg{{QStringLiteral("model_type"), QStringLiteral("gpt2")},
                          {QStringLiteral("architectures"), QJsonArray{QStringLiteral("GPT2LMHeadModel")}},
                          {QStringLiteral("n_layer"), c.layers},
                          {QStringLiteral("n_head"), c.heads},
                          {QStringLiteral("n_embd"), c.dModel},
                          {QStringLiteral("n_positions"), c.context},
                          {QStringLiteral("n_ctx"), c.context},
                          {QStringLiteral("vocab_size"), V},
                          {QStringLiteral("activation_function"), QStringLiteral("gelu_new")},
                          {QStringLiteral("layer_norm_epsilon"), 1e-5},
                          {QStringLiteral("tie_word_embeddings"), true},
                          {QStringLiteral("bos_token_id"), V - 1},
                          {QStringLiteral("eos_token_id"), V - 1}};
    QSaveFile cf(out.filePath(QStringLiteral("config.json")));
    cf.open(QIODevice::WriteOnly);
    cf.write(QJsonDocument(cfg).toJson());
    if (!cf.commit())
        throw Error(QStringLiteral("Cannot write %1.").arg(cf.fileName()));
    {
        for (const char *f : {"vocab.json", "merges.txt"}) {
            QFile::remove(out.filePath(QString::fromLatin1(f)));
            QFile::copy(QDir(ckptDir).filePath(QString::fromLatin1(f)), out.filePath(QString::fromLatin1(f)));
        }
    }
    QSaveFile lf(out.filePath(QStringLiteral("training-log.csv")));
    lf.open(QIODevice::WriteOnly);
    lf.write(trainLogCsv(rows).toUtf8());
    if (!lf.commit())
        throw Error(QStringLiteral("Cannot write %1 (disk full?).").arg(lf.fileName()));
    return rows;
}

} // namespace strata
