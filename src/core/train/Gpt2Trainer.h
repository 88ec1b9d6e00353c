#pragma once

#include <QString>
#include <QStringList>

#include <cstdint>
#include <functional>
#include <vector>

namespace strata {

class JobControl;

struct TrainConfig
{
    QStringList corpusFiles; // plain UTF-8 text, read at training time
    QString outDir;          // the Hugging Face GPT-2 folder written at the end
    int vocabSize = 4096;    // byte-level BPE learned from the corpus (bytes + merges + <|endoftext|>)
    int layers = 4;
    int heads = 4;
    int dModel = 128;
    int context = 128;
    int batch = 16;
    int steps = 3000;
    int warmup = 150;
    double lr = 3e-3; // peak; cosine decay to lr / 10
    double weightDecay = 0.1;
    double clip = 1.0;
    double repeatFraction = 0.75;    // share of sequences ending in a random token span written twice
    bool sinusoidalPositions = true; // initialise wpe with (scaled) sinusoids instead of noise
    int evalEvery = 250;
    int checkpointEvery = 250;
    uint64_t seed = 1234;
    bool resume = false;
    int64_t maxCorpusBytes = 0; // 0: everything
};

// One measurement taken during training (also the rows of training-log.csv).
struct TrainLogRow
{
    int step = 0;
    double trainLoss = 0;         // mean over the steps since the previous row
    double valLoss = 0;           // natural text held out from training
    double bestPrevious = 0;      // best previous-token score of any head, on held-out natural text
    double bestInduction = 0;     // best induction score of any head, on 50 random tokens repeated twice
    double inductionLossDrop = 0; // loss(first copy) - loss(second copy), nats
    double seconds = 0;           // wall time since the start of training (across resumes)
};

// Trains a small GPT-2 with libtorch autograd (AdamW, warm-up + cosine schedule, gradient clipping,
// a fixed seed) and writes a normal Hugging Face GPT-2 folder. Checkpoints every checkpointEvery
// steps under outDir/checkpoint so an interrupted run resumes (resume = true) where it stopped;
// data for step s is drawn from an RNG seeded by (seed, s), so a resumed run sees the same batches.
class Gpt2Trainer
{
public:
    using LogFn = std::function<void(const QString &line)>;
    explicit Gpt2Trainer(TrainConfig config, LogFn log = {});
    ~Gpt2Trainer();
    // Throws Error, or Cancelled after saving a checkpoint.
    std::vector<TrainLogRow> run(const JobControl *control = nullptr);

private:
    struct Impl;
    TrainConfig m_config;
    LogFn m_log;
};

} // namespace strata
