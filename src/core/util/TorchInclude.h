#pragma once

// The only way Strata code includes torch. Qt defines `slots` as a macro, and torch's Python-free
// headers still use `slots` as an identifier; shield it whatever was included before.
#pragma push_macro("slots")
#undef slots
#include <ATen/ATen.h>
#include <ATen/autocast_mode.h>
#include <torch/torch.h>
#pragma pop_macro("slots")
