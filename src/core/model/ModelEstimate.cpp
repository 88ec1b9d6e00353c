#include "ModelEstimate.h"

#include "HfConfig.h"
#include "ModelInfo.h"
#include "ModelSource.h"
#include "tensor/GgufReader.h"
#include "tensor/SafetensorsReader.h"
#include "util/Error.h"

#include <QDir>
#include <QFileInfo>

#include <algorithm>

namespace strata {

int64_t ModelEstimate::fullTraceBytes(int tokens, int bytesPerValue) const
{
    ModelInfo i;
    i.nLayers = nLayers;
    i.nHeads = nHeads;
    i.dModel = dModel;
    i.vocabSize = vocabSize;
    return i.traceBytes(tokens, bytesPerValue);
}

ModelEstimate estimateModel(const QString &location)
{
    ModelEstimate e;
    try {
        const ModelSource src = resolveModelLocation(location);
        if (!src.isFolder()) {
            GgufReader g; // header and tensor table only; the data stays unread in the map
            g.open(src.path);
            const QString arch = g.requireString(QStringLiteral("general.architecture"));
            auto key = [&](const char *k) { return arch + QLatin1Char('.') + QString::fromLatin1(k); };
            e.modelType = arch;
            e.nLayers = int(g.requireInt(key("block_count")));
            e.nHeads = int(g.requireInt(key("attention.head_count")));
            e.dModel = int(g.requireInt(key("embedding_length")));
            e.contextLength = int(g.optionalInt(key("context_length"), 0));
            e.vocabSize = g.metadata(QStringLiteral("tokenizer.ggml.tokens")).toStringList().size();
            e.weightFileBytes = g.fileSize();
            // What Strata adds to the map (LlamaModel): vectors dequantised, the unembedding (output,
            // or the tied embedding) as dense float32 unless it is F32, one 8 MiB block buffer and a
            // dense attn_output matrix per layer in turn (the largest of them).
            int64_t largest = 0;
            bool stored = false; // any matrix left in its file type (then the block buffer exists)
            for (const QString &n : g.tensorNames()) {
                const GgufTensorInfo &ti = g.info(n);
                const int64_t numel = HostTensor::numelOf(ti.shape);
                if (ti.shape.size() == 1 && ti.type != 0)
                    e.weightMemoryBytes += numel * 4;
                stored = stored || (ti.shape.size() > 1 && ti.type != 0);
                if (n.endsWith(QLatin1String("attn_output.weight")) && ti.type != 0)
                    largest = std::max(largest, numel * 4);
            }
            const QString unembed = g.contains(QStringLiteral("output.weight")) ? QStringLiteral("output.weight") : QStringLiteral("token_embd.weight");
            if (g.contains(unembed) && g.info(unembed).type != 0) {
                e.weightMemoryBytes += HostTensor::numelOf(g.info(unembed).shape) * 4;
            }
            if (stored)
                e.weightMemoryBytes += largest + (int64_t(8) << 20);
            e.weightTypes = g.typeMixSummary();
            e.known = true;
            return e;
        }
        const HfConfig cfg = HfConfig::load(src.filePath(QStringLiteral("config.json")));
        e.modelType = cfg.modelType();
        e.nLayers = cfg.requireInt({QStringLiteral("n_layer"), QStringLiteral("num_hidden_layers")});
        e.nHeads = cfg.requireInt({QStringLiteral("n_head"), QStringLiteral("num_attention_heads")});
        e.dModel = cfg.requireInt({QStringLiteral("n_embd"), QStringLiteral("hidden_size")});
        e.vocabSize = cfg.requireInt({QStringLiteral("vocab_size")});
        e.contextLength = cfg.optionalInt({QStringLiteral("n_positions"), QStringLiteral("max_position_embeddings")}, 0);
        const QDir dir(src.path);
        for (const QFileInfo &f : dir.entryInfoList({QStringLiteral("*.safetensors")}, QDir::Files)) {
            e.weightFileBytes += f.size();
            SafetensorsReader r; // header only: validates and gives dtypes without touching data
            r.open(f.absoluteFilePath());
            for (const QString &n : r.tensorNames()) {
                const TensorInfo &ti = r.info(n);
                e.weightMemoryBytes += HostTensor::numelOf(ti.shape) * (ti.dtype == DType::F32 ? 0 : 4); // F32 is mapped, not copied
            }
        }
        e.known = true;
    } catch (const Error &err) {
        e.error = err.message();
    }
    return e;
}

} // namespace strata
