// HfConfig (config.json of a Hugging Face folder) on hostile bytes, with every accessor the model
// families call.

#include "FuzzSupport.h"

#include "model/HfConfig.h"
#include "util/Error.h"

using namespace strata;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    try {
        const HfConfig config = HfConfig::load(fuzz::writeFile(QStringLiteral("config.json"), fuzz::bytes(data, size)));
        (void)config.modelType();
        (void)config.architectures();
        const QStringList keys = {QStringLiteral("n_layer"), QStringLiteral("num_hidden_layers"),  QStringLiteral("n_embd"), QStringLiteral("hidden_size"),
                                  QStringLiteral("n_head"),  QStringLiteral("num_attention_heads")};
        for (const QString &key : keys) {
            try {
                (void)config.requireInt({key});
            } catch (const Error &e) {
                fuzz::rejected(e);
            }
            (void)config.optionalInt({key}, 7);
            (void)config.optionalDouble({key}, 0.5);
            (void)config.optionalBool(key, true);
            (void)config.optionalString(key);
        }
        (void)config.optionalDouble({QStringLiteral("rope_theta"), QStringLiteral("layer_norm_epsilon")}, 1e-5);
    } catch (const Error &e) {
        fuzz::rejected(e);
    }
    return 0;
}
