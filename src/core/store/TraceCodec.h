#pragma once

#include "model/Trace.h"

#include <QByteArray>

namespace strata {

// Turns a Trace into one self-describing blob and back, for the session store. Activations are kept
// as float16 (a float32 trace is rounded once, to nearest even); each tensor is zlib-compressed
// after splitting its bytes into planes when that saves at least a fifth (causal attention, half of
// which is exact zeros, shrinks a lot; residual vectors barely do and are stored as they are, so
// that reopening them is a copy). Token ids, offsets, strings, the model's identity and the run's
// options travel in a JSON header.
namespace TraceCodec {

QByteArray encode(const Trace &trace);
// Throws Error naming what is wrong when the blob is truncated, corrupt or of an unknown version.
TracePtr decode(const QByteArray &blob);

} // namespace TraceCodec

} // namespace strata
