// format: the uncompressed file header (magic, version, flags, body): encoded by the writer,
// checked and decoded by the reader and by TraceWriter::openAppend.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "format/records.h"

namespace heapscope::format {

// The whole header, prefix and body. Command-line arguments that would push the body past
// layout::kMaxHeaderBodyBytes are left out, so the reader never refuses what the writer wrote.
std::vector<std::uint8_t> encodeHeader(const TraceHeader& header);

// Checks the fixed prefix (the first `available` bytes of the file, at most
// layout::kHeaderPrefixBytes are looked at) and returns the version and the body length. On
// failure `why` is a one-line reason.
[[nodiscard]] bool decodeHeaderPrefix(const std::uint8_t* data, std::size_t available,
                                      std::uint16_t& version, std::uint32_t& bodyBytes,
                                      std::string& why);

// Decodes the header body into out (whose version the caller sets).
[[nodiscard]] bool decodeHeaderBody(const std::uint8_t* body, std::size_t size, TraceHeader& out,
                                    std::string& why);

} // namespace heapscope::format
