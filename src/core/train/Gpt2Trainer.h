#pragma once

#include <QString>
#include <QStringList>

#include <cstdint>
#include <functional>
#include <vector>

namespace strata {

class JobControl;

enum class TrainTask {
    Text,      // natural text from corpusFiles (a share of rows ending in a tiled random segment)
    Induction, // random tokens only, every row a tiled random segment: the induction task alone
};

struct TrainConfig
{
    TrainTask task = TrainTask::Text;
    QStringList corpusFiles; // plain UTF-8 text, read at training time (Text)
    QString outDir;          // the Hugging Face GPT-2 folder written at the end
    // Text: the byte-level BPE learned from the corpus (bytes + merges + <|endoftext|>), 300-65536.
    // Induction: the task's random tokens are that many printable ASCII characters ('!' onwards, 8-94)
    // of a byte-level vocabulary without merges (257 ids), so the model loads and reads typed text.
    int vocabSize = 4096;
    int layers = 4;
    int heads = 4;
    int dModel = 128;
    int context = 128;
    int batch = 32;
    int steps = 6000;
    int warmup = 150;
    double lr = 1e-3; // peak; cosine decay to lr / 10 (3e-3 kept d_model 128 on the plateau, docs/DEMO_MODEL.md)
    double weightDecay = 0.1;
    double clip = 1.0;
    double repeatFraction = 0.5;     // Text: share of rows ending in a tiled random segment (TrainingData.h)
    int minPeriod = 4;               // period of the tiled segment, drawn per row
    int maxPeriod = 0;               // 0: half the context
    double maxPrefixShare = 0.5;     // the segment starts after up to this share of the row (ramped in)
    double naturalRepeatShare = 0.5; // Text: share of segments that are a span of the text (ramped in with the prefix)
    int inductionSteps = 0;          // Text: the first N steps train the induction task alone (a curriculum)
    int probeLength = 0;             // induction probe: n random tokens twice; 0: min(50, context / 2)
    bool autocastBf16 = false;       // matrix products in bfloat16 (CPU autocast through oneDNN)
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
    double trainLoss = 0;                      // mean over the steps since the previous row
    double valLoss = 0;                        // natural text held out from training
    double bestPrevious = 0;                   // best previous-token score of any head, on held-out text (random tokens: Induction)
    double bestInduction = 0;                  // best induction score of any head, on n random tokens repeated twice
    double inductionLossDrop = 0;              // loss(first copy) - loss(second copy), nats
    double seconds = 0;                        // wall time since the start of training (across resumes)
    int previousLayer = -1, previousHead = -1; // where the best previous-token head is
    int inductionLayer = -1, inductionHead = -1;
};

// The CSV the trainer writes (training-log.csv), one row per evaluation, and its reader (also of
// logs written before the layer/head columns existed). The reader throws Error naming the file and
// line when a row is malformed.
QString trainLogCsv(const std::vector<TrainLogRow> &rows);
std::vector<TrainLogRow> readTrainLogCsv(const QString &path);

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
