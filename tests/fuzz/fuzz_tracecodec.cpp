// TraceCodec::decode on hostile blobs (a stored run's trace from a session file). A decoded trace
// must be one a panel can draw: its tensors have the shapes the token count and the model's
// dimensions say, so the head scores (what the atlas computes first on opening a run) run on it.

#include "FuzzSupport.h"

#include "analysis/HeadMetrics.h"
#include "store/TraceCodec.h"
#include "util/Error.h"

using namespace strata;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    TracePtr trace;
    try {
        trace = TraceCodec::decode(fuzz::bytes(data, size));
    } catch (const Error &e) {
        fuzz::rejected(e);
        return 0;
    }
    if (!trace)
        qFatal("decode returned no trace and no error");
    (void)trace->tokenIds();
    (void)trace->byteSize();
    if (trace->tokenCount() <= 512 && trace->tokenCount() * int64_t(trace->model.nHeads) * trace->model.nLayers <= 2'000'000)
        (void)HeadMetrics::scoreTrace(*trace);
    return 0;
}
