// recorder: parsing of the options.inc settings from environment variables.
#include "recorder/options.h"

#include <cstdlib>

#include "recorder/log.h"

namespace heapscope::recorder {
namespace {

void parse(const char* env, std::string& out) {
    if (const char* v = std::getenv(env)) out = v;
}

void parse(const char* env, std::uint64_t& out) {
    const char* v = std::getenv(env);
    if (v == nullptr || *v == '\0') return;
    char* end = nullptr;
    const unsigned long long n = std::strtoull(v, &end, 10);
    if (*end != '\0') {
        logLine("ignoring malformed number in", env);
        return;
    }
    out = n;
}

void parse(const char* env, bool& out) {
    const char* v = std::getenv(env);
    if (v == nullptr || *v == '\0') return;
    const std::string s = v;
    if (s == "1" || s == "true" || s == "yes" || s == "on") {
        out = true;
    } else if (s == "0" || s == "false" || s == "no" || s == "off") {
        out = false;
    } else {
        logLine("ignoring malformed boolean in", env);
    }
}

} // namespace

Options readOptions() {
    Options options;
#define HEAPSCOPE_OPTION(field, env, type, def, help) parse(#env, options.field);
#include "recorder/options.inc"
#undef HEAPSCOPE_OPTION
    return options;
}

} // namespace heapscope::recorder
