#include "util/TorchInclude.h" // first: shields torch from Qt's `slots`

#include "Gpt2Trainer.h"

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

// Parameters in Hugging Face GPT-2 layout (Conv1D weights (in, out)), so export is a copy.
struct Block
{
    torch::Tensor ln1w, ln1b, attnW, attnB, projW, projB, ln2w, ln2b, fcW, fcB, fcProjW, fcProjB;
};

struct Model
{
    int layers, heads, d, ctx, vocab;
    torch::Tensor wte, wpe, lnfW, lnfB;
    std::vector<Block> blocks;

    std::vector<torch::Tensor> parameters() const
    {
        std::vector<torch::Tensor> p{wte, wpe, lnfW, lnfB};
        for (const Block &b : blocks)
            p.insert(p.end(), {b.ln1w, b.ln1b, b.attnW, b.attnB, b.projW, b.projB, b.ln2w, b.ln2b, b.fcW, b.fcB, b.fcProjW, b.fcProjB});
        return p;
    }
    std::vector<std::pair<QString, torch::Tensor>> named() const
    {
        std::vector<std::pair<QString, torch::Tensor>> n{{QStringLiteral("wte.weight"), wte}, {QStringLiteral("wpe.weight"), wpe}};
        for (int l = 0; l < layers; ++l) {
            const Block &b = blocks[size_t(l)];
            const QString p = QStringLiteral("h.%1.").arg(l);
            n.insert(n.end(), {{p + QStringLiteral("ln_1.weight"), b.ln1w},
                               {p + QStringLiteral("ln_1.bias"), b.ln1b},
                               {p + QStringLiteral("attn.c_attn.weight"), b.attnW},
                               {p + QStringLiteral("attn.c_attn.bias"), b.attnB},
                               {p + QStringLiteral("attn.c_proj.weight"), b.projW},
                               {p + QStringLiteral("attn.c_proj.bias"), b.projB},
                               {p + QStringLiteral("ln_2.weight"), b.ln2w},
                               {p + QStringLiteral("ln_2.bias"), b.ln2b},
                               {p + QStringLiteral("mlp.c_fc.weight"), b.fcW},
                               {p + QStringLiteral("mlp.c_fc.bias"), b.fcB},
                               {p + QStringLiteral("mlp.c_proj.weight"), b.fcProjW},
                               {p + QStringLiteral("mlp.c_proj.bias"), b.fcProjB}});
        }
        n.insert(n.end(), {{QStringLiteral("ln_f.weight"), lnfW}, {QStringLiteral("ln_f.bias"), lnfB}});
        return n;
    }

    void init(uint64_t seed, bool sinusoidal)
    {
        torch::manual_seed(seed);
        auto normal = [](std::vector<int64_t> shape, double std) { return (torch::randn(shape) * std).requires_grad_(); };
        auto ones = [](int64_t n) { return torch::ones({n}).requires_grad_(); };
        auto zeros = [](int64_t n) { return torch::zeros({n}).requires_grad_(); };
        wte = normal({vocab, d}, 0.02);
        wpe = normal({ctx, d}, 0.01);
        if (sinusoidal) {
            // Still a learned table (GPT-2's architecture), but starting from sinusoids makes "the token
            // at p-1" linearly readable from the start, so previous-token heads (and with them induction
            // heads) form far sooner. Scaled to the token embeddings' norm so neither drowns the other.
            torch::NoGradGuard ng;
            const torch::Tensor pos = torch::arange(ctx, torch::kDouble).unsqueeze(1);
            const torch::Tensor freq = torch::exp(torch::arange(0, d, 2, torch::kDouble) * (-std::log(10000.0) / d));
            torch::Tensor pe = torch::zeros({ctx, d}, torch::kDouble);
            pe.index_put_({torch::indexing::Slice(), torch::indexing::Slice(0, torch::indexing::None, 2)}, torch::sin(pos * freq));
            pe.index_put_({torch::indexing::Slice(), torch::indexing::Slice(1, torch::indexing::None, 2)}, torch::cos(pos * freq));
            wpe.copy_(pe.to(torch::kFloat) * (0.02 * std::sqrt(2.0)));
        }
        const double residStd = 0.02 / std::sqrt(2.0 * layers); // GPT-2's scaled init of residual projections
        blocks.clear();
        for (int l = 0; l < layers; ++l)
            blocks.push_back({ones(d), zeros(d), normal({d, 3 * d}, 0.02), zeros(3 * d), normal({d, d}, residStd), zeros(d), ones(d), zeros(d),
                              normal({d, 4 * d}, 0.02), zeros(4 * d), normal({4 * d, d}, residStd), zeros(d)});
        lnfW = ones(d);
        lnfB = zeros(d);
    }

    // ids [B, T] -> logits [B, T, V]; attention probabilities of every layer when attn != nullptr.
    torch::Tensor forward(const torch::Tensor &ids, std::vector<torch::Tensor> *attn = nullptr) const
    {
        const int64_t B = ids.size(0), T = ids.size(1), dh = d / heads;
        torch::Tensor x = wte.index_select(0, ids.reshape({-1})).view({B, T, d}) + wpe.narrow(0, 0, T);
        const torch::Tensor mask = torch::ones({T, T}, torch::kBool).triu(1);
        for (const Block &b : blocks) {
            const torch::Tensor h = torch::layer_norm(x, {d}, b.ln1w, b.ln1b, 1e-5);
            const torch::Tensor qkv = torch::matmul(h, b.attnW) + b.attnB;
            auto parts = qkv.split(d, 2);
            auto heads_ = [&](const torch::Tensor &t) { return t.view({B, T, heads, dh}).transpose(1, 2); };
            const torch::Tensor q = heads_(parts[0]), k = heads_(parts[1]), v = heads_(parts[2]);
            torch::Tensor s = torch::matmul(q, k.transpose(-1, -2)) / std::sqrt(double(dh));
            s = s.masked_fill(mask, -std::numeric_limits<float>::infinity());
            const torch::Tensor a = torch::softmax(s, -1);
            if (attn)
                attn->push_back(a.detach());
            const torch::Tensor z = torch::matmul(a, v).transpose(1, 2).reshape({B, T, d});
            x = x + torch::matmul(z, b.projW) + b.projB;
            const torch::Tensor h2 = torch::layer_norm(x, {d}, b.ln2w, b.ln2b, 1e-5);
            x = x + torch::matmul(torch::gelu(torch::matmul(h2, b.fcW) + b.fcB, "tanh"), b.fcProjW) + b.fcProjB;
        }
        return torch::matmul(torch::layer_norm(x, {d}, lnfW, lnfB, 1e-5), wte.t());
    }
};

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

} // namespace

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
    if (c.vocabSize < 300 || c.vocabSize > 65536)
        throw Error(QStringLiteral("--vocab must be between 300 and 65536."));
    const QDir out(c.outDir);
    const QString ckptDir = out.filePath(QStringLiteral("checkpoint"));
    if (!QDir().mkpath(ckptDir))
        throw Error(QStringLiteral("Cannot create %1.").arg(ckptDir));
    QElapsedTimer clock;
    clock.start();

    // 1. Tokenizer: learned once, reused on resume.
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
    const int V = int(tok.vocabSize());

    // 2. Data: the whole text tokenised, 95 % train / 5 % validation (the last 5 %).
    std::vector<int64_t> ids = tok.encodeIds(text);
    const size_t split = ids.size() * 95 / 100;
    std::vector<int64_t> train(ids.begin(), ids.begin() + long(split)), val(ids.begin() + long(split), ids.end());
    log(QStringLiteral("%1 tokens (%2 train, %3 validation), %4 bytes per token")
            .arg(ids.size())
            .arg(train.size())
            .arg(val.size())
            .arg(double(text.toUtf8().size()) / double(ids.size()), 0, 'f', 2));
    if (int64_t(val.size()) < 4 * (c.context + 1))
        throw Error(QStringLiteral("The training text is too short for a context of %1 tokens.").arg(c.context));

    // 3. Model and optimiser, or the checkpoint.
    Model m{c.layers, c.heads, c.dModel, c.context, V, {}, {}, {}, {}, {}};
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
                                      {QStringLiteral("seconds"), r.seconds}});
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

    // Deterministic batch for step s: natural windows, and a share ending in a random span repeated.
    auto batchFor = [&](int step, const std::vector<int64_t> &source, int batch, bool allowRepeats) {
        std::mt19937_64 rng(c.seed * 1000003ull + uint64_t(step));
        const int T = c.context;
        torch::Tensor x = torch::empty({batch, T + 1}, torch::kLong);
        auto acc = x.accessor<int64_t, 2>();
        std::uniform_int_distribution<size_t> pos(0, source.size() - size_t(T) - 2);
        std::uniform_real_distribution<double> u(0, 1);
        std::uniform_int_distribution<int64_t> randomTok(256, V - 2); // merged tokens, no bytes or <|endoftext|>
        for (int b = 0; b < batch; ++b) {
            const size_t start = pos(rng);
            for (int t = 0; t <= T; ++t)
                acc[b][t] = source[start + size_t(t)];
            if (allowRepeats && u(rng) < c.repeatFraction) {
                const int span = std::uniform_int_distribution<int>(8, (T + 1) / 2)(rng);
                const int from = T + 1 - 2 * span; // natural prefix, then span, then the same span
                for (int i = 0; i < span; ++i) {
                    const int64_t r = randomTok(rng);
                    acc[b][from + i] = r;
                    acc[b][from + span + i] = r;
                }
            }
        }
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
            const torch::Tensor x = batchFor(1'000'000 + i, val, 16, false);
            const torch::Tensor logits = m.forward(x.narrow(1, 0, c.context));
            vl += torch::cross_entropy_loss(logits.reshape({-1, V}), x.narrow(1, 1, c.context).reshape({-1})).item<double>() / evalBatches;
        }
        row.valLoss = vl;
        // Head scores: previous-token on held-out natural text, induction on 50 random tokens twice.
        const torch::Tensor nat = batchFor(2'000'000, val, 1, false).narrow(1, 0, c.context);
        std::vector<torch::Tensor> attn;
        m.forward(nat, &attn);
        std::vector<int64_t> natIds(nat.data_ptr<int64_t>(), nat.data_ptr<int64_t>() + c.context);
        for (const torch::Tensor &a : attn)
            for (int h = 0; h < c.heads; ++h) {
                const torch::Tensor ah = a[0][h].contiguous();
                const std::vector<float> v(ah.data_ptr<float>(), ah.data_ptr<float>() + ah.numel());
                row.bestPrevious = std::max(row.bestPrevious, HeadMetrics::scoreHead(v, c.context, natIds).previousToken);
            }
        const int n = std::min(50, c.context / 2);
        double induction[64][64] = {};
        double lossFirst = 0, lossSecond = 0;
        const int probes = 4;
        for (int s = 0; s < probes; ++s) {
            std::mt19937_64 rng(c.seed + 77 + uint64_t(s));
            std::uniform_int_distribution<int64_t> randomTok(256, V - 2);
            torch::Tensor seq = torch::empty({1, 2 * n}, torch::kLong);
            for (int i = 0; i < n; ++i)
                seq[0][i] = seq[0][n + i] = randomTok(rng);
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
                row.bestInduction = std::max(row.bestInduction, induction[l][h]);
        row.inductionLossDrop = lossFirst - lossSecond;
        row.seconds = secondsBefore + clock.elapsed() / 1000.0;
        log(QStringLiteral("step %1: train loss %2, val loss %3, best previous-token %4, best induction %5, copy-loss drop %6, %7 s")
                .arg(step)
                .arg(trainLoss, 0, 'f', 3)
                .arg(row.valLoss, 0, 'f', 3)
                .arg(row.bestPrevious, 0, 'f', 3)
                .arg(row.bestInduction, 0, 'f', 3)
                .arg(row.inductionLossDrop, 0, 'f', 2)
                .arg(row.seconds, 0, 'f', 0));
        rows.push_back(row);
    };

    // 4. Training.
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
        const torch::Tensor logits = m.forward(x.narrow(1, 0, c.context));
        const torch::Tensor loss = torch::cross_entropy_loss(logits.reshape({-1, V}), x.narrow(1, 1, c.context).reshape({-1}));
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
    for (const char *f : {"vocab.json", "merges.txt"}) {
        QFile::remove(out.filePath(QString::fromLatin1(f)));
        QFile::copy(QDir(ckptDir).filePath(QString::fromLatin1(f)), out.filePath(QString::fromLatin1(f)));
    }
    QSaveFile lf(out.filePath(QStringLiteral("training-log.csv")));
    lf.open(QIODevice::WriteOnly);
    QTextStream ls(&lf);
    ls << "step,train_loss,val_loss,best_previous_token,best_induction,induction_loss_drop,seconds\n";
    for (const TrainLogRow &r : rows)
        ls << r.step << ',' << r.trainLoss << ',' << r.valLoss << ',' << r.bestPrevious << ',' << r.bestInduction << ',' << r.inductionLossDrop << ','
           << r.seconds << '\n';
    ls.flush();
    lf.commit();
    return rows;
}

} // namespace strata
