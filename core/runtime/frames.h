#pragma once

#include "trace/vocabulary.h"

namespace porthole::runtime {

// The frames live in the trace's vocabulary: a trace names them without this library.
using trace::FrameId;

} // namespace porthole::runtime
