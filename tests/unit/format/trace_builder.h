// format tests: building trace bytes (whole traces, hand-made frames) and reading them back,
// shared by the format unit tests and the damaged-corpus generator.
#pragma once

#include <cstdint>
#include <initializer_list>
#include <string>
#include <string_view>
#include <vector>

#include "format/reader.h"
#include "format/records.h"

namespace heapscope::format::testing {

using Bytes = std::vector<std::uint8_t>;

// A fresh path in a per-process temporary directory.
std::string tempPath(std::string_view name);
void writeFile(const std::string& path, const Bytes& bytes);
Bytes readFile(const std::string& path);

Bytes join(std::initializer_list<Bytes> parts);

// A trace written by TraceWriter, flushed after each group of records (one frame per group).
Bytes writeTrace(const TraceHeader& header, const std::vector<std::vector<Record>>& frames);
// A frame around a hand-made payload: frame header, then the payload zstd-compressed.
Bytes rawFrame(const Bytes& payload);
// The header bytes TraceWriter writes for `header`.
Bytes headerBytes(const TraceHeader& header);

// Everything a TraceReader gives for a file.
struct ReadBack {
    bool opened = false;
    TraceHeader header;
    std::vector<Record> records;
    ReadOutcome outcome = ReadOutcome::Reading;
    std::string error;
    std::uint64_t endOfLastCompleteFrame = 0;
};
ReadBack readTrace(const std::string& path);
ReadBack readBytes(const Bytes& bytes);

// The record as a trace with this time quantum gives it back: its time rounded down.
Record roundedTime(Record record, std::uint64_t timeQuantumNs);

// Every field of a record on one line, so tests compare records field by field.
std::string describe(const Record& record);
std::string describe(const TraceHeader& header);

// A small trace with every record kind, as three frames; the last holds End and ExitStatus.
TraceHeader sampleHeader();
std::vector<std::vector<Record>> sampleFrames();

} // namespace heapscope::format::testing
