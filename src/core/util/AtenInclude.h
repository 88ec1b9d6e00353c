#pragma once

// Lighter than TorchInclude.h: ATen tensors and ops only (no autograd front end, ~4x cheaper to compile).
#pragma push_macro("slots")
#undef slots
#include <ATen/ATen.h>
#pragma pop_macro("slots")
