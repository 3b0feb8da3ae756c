// reports: one line per trace record, for `heapscope dump` (debugging traces and the recorder).
#pragma once

#include <string>
#include <string_view>

#include "format/records.h"

namespace heapscope::reports {

std::string headerText(const format::TraceHeader& header);

// The names dump, the JSON reports and the SQL tables use for the format's enumerations:
// "malloc", "new", "new[]"; "definitely_lost", ...; "double_free", "invalid_free", ...
std::string_view familyName(format::AllocFamily family);
std::string_view leakKindName(format::LeakKind kind);
std::string_view errorKindName(format::ErrorKind kind);

// "alloc thread=0 time=1234 address=0x5581a0 size=16 stack=3 family=malloc"
std::string recordText(const format::Record& record);

} // namespace heapscope::reports
