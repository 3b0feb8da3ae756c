// recorder: the recorder's settings, one field per entry of options.inc, read from the
// environment at start-up.
#pragma once

#include <cstdint>
#include <string>

namespace heapscope::recorder {

struct Options {
#define HEAPSCOPE_OPTION_TYPE_string std::string
#define HEAPSCOPE_OPTION_TYPE_uint std::uint64_t
#define HEAPSCOPE_OPTION_TYPE_bool bool
#define HEAPSCOPE_OPTION(field, env, type, def, help) HEAPSCOPE_OPTION_TYPE_##type field = def;
#include "recorder/options.inc"
#undef HEAPSCOPE_OPTION
#undef HEAPSCOPE_OPTION_TYPE_string
#undef HEAPSCOPE_OPTION_TYPE_uint
#undef HEAPSCOPE_OPTION_TYPE_bool
};

// Reads every HEAPSCOPE_* variable; a malformed value keeps the default and is logged.
Options readOptions();

} // namespace heapscope::recorder
