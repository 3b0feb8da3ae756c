// format: encoding and checking of the trace file header.
#include "format/header_codec.h"

#include <cstring>

#include "format/layout.h"

namespace heapscope::format {

using layout::appendString;
using layout::appendVarint;

std::vector<std::uint8_t> encodeHeader(const TraceHeader& header) {
    std::vector<std::uint8_t> body;
    appendVarint(body, header.pid);
    appendVarint(body, header.ppid);
    appendString(body, header.executable);

    // Room left for the arguments after the fixed fields (each at most 10 bytes of varint).
    constexpr std::size_t kTailBytes = 5 * kMaxVarintBytes + kMaxVarintBytes;
    std::vector<std::uint8_t> args;
    std::size_t argCount = 0;
    for (const std::string& arg : header.commandLine) {
        const std::size_t before = args.size();
        appendString(args, arg);
        if (body.size() + args.size() + kTailBytes > layout::kMaxHeaderBodyBytes) {
            args.resize(before);
            break;
        }
        ++argCount;
    }
    appendVarint(body, argCount);
    body.insert(body.end(), args.begin(), args.end());
    appendVarint(body, header.startRealtimeNs);
    appendVarint(body, header.pageSize);
    appendVarint(body, header.sampleRate);
    appendVarint(body, header.stackDepth);
    appendVarint(body, header.timeQuantumNs);

    std::vector<std::uint8_t> out(layout::kHeaderPrefixBytes);
    std::memcpy(out.data(), kMagic, sizeof kMagic);
    layout::storeLe16(out.data() + 8, kFormatVersion);
    layout::storeLe16(out.data() + 10, 0);
    layout::storeLe32(out.data() + 12, static_cast<std::uint32_t>(body.size()));
    out.insert(out.end(), body.begin(), body.end());
    return out;
}

bool decodeHeaderPrefix(const std::uint8_t* data, std::size_t available, std::uint16_t& version,
                        std::uint32_t& bodyBytes, std::string& why) {
    if (available == 0) {
        why = "not a heapscope trace (empty file)";
        return false;
    }
    const std::size_t magicBytes = available < sizeof kMagic ? available : sizeof kMagic;
    if (std::memcmp(data, kMagic, magicBytes) != 0) {
        why = "not a heapscope trace";
        return false;
    }
    if (available < layout::kHeaderPrefixBytes) {
        why = "damaged header: the file ends inside the header";
        return false;
    }
    version = layout::loadLe16(data + 8);
    if (version > kFormatVersion) {
        why = "trace format version " + std::to_string(version) +
              " is newer than this heapscope supports (" + std::to_string(kFormatVersion) + ")";
        return false;
    }
    if (version == 0) {
        why = "damaged header: format version 0";
        return false;
    }
    const std::uint16_t flags = layout::loadLe16(data + 10);
    if (flags != 0) {
        why = "damaged header: unknown flags " + std::to_string(flags);
        return false;
    }
    bodyBytes = layout::loadLe32(data + 12);
    if (bodyBytes > layout::kMaxHeaderBodyBytes) {
        why = "damaged header: header body of " + std::to_string(bodyBytes) +
              " bytes is over the limit";
        return false;
    }
    return true;
}

bool decodeHeaderBody(const std::uint8_t* body, std::size_t size, TraceHeader& out,
                      std::string& why) {
    layout::ByteCursor in{body, body + size};
    std::uint64_t argCount = 0;
    bool ok = in.varint(out.pid) && in.varint(out.ppid) && in.string(out.executable) &&
              in.varint(argCount);
    // Each argument takes at least one byte, which bounds the vector by the bytes left.
    if (ok && argCount > static_cast<std::uint64_t>(in.end - in.p)) {
        why = "damaged header: implausible argument count";
        return false;
    }
    out.commandLine.assign(ok ? argCount : 0, std::string());
    for (std::string& arg : out.commandLine)
        ok = ok && in.string(arg);
    ok = ok && in.varint(out.startRealtimeNs) && in.varint(out.pageSize) &&
         in.varint(out.sampleRate) && in.u32(out.stackDepth);
    // Version 1 had no quantum: its times are in ns.
    out.timeQuantumNs = 1;
    ok = ok && (out.version < 2 || in.varint(out.timeQuantumNs));
    if (!ok) {
        why = std::string("damaged header: ") + in.why;
        return false;
    }
    if (out.timeQuantumNs == 0 || out.timeQuantumNs > layout::kMaxTimeQuantumNs) {
        why = "damaged header: implausible time quantum " + std::to_string(out.timeQuantumNs);
        return false;
    }
    if (in.p != in.end) {
        why = "damaged header: " + std::to_string(in.end - in.p) + " unexpected bytes at its end";
        return false;
    }
    return true;
}

} // namespace heapscope::format
