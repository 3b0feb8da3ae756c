// format: decodes the records of one decompressed frame, mirroring the writer's per-frame
// delta state.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "format/layout.h"
#include "format/recent_frees.h"
#include "format/records.h"

namespace heapscope::format {

class FrameDecoder {
public:
    // Starts on a frame's raw bytes, with the delta state of a frame start.
    void reset(const std::uint8_t* data, std::size_t size);
    // Time fields count units of this many ns (the header's timeQuantumNs; 1 before version 2).
    void setTimeQuantum(std::uint64_t ns) { m_timeQuantumNs = ns; }
    bool atEnd() const { return m_in.p == m_in.end; }
    // Decodes records into out[0, max) until the frame ends or max are decoded; count says how
    // many. ThreadSwitch records are applied, never returned. Returns false if a record does
    // not decode (count then is the records before it); error() says what and where.
    [[nodiscard]] bool nextMany(Record* out, std::size_t max, std::size_t& count);
    // The tag of the record last decoded.
    RecordTag lastTag() const { return static_cast<RecordTag>(m_tag); }
    // Whether an End record was decoded since reset().
    bool sawEnd() const { return m_sawEnd; }
    // One line such as "unknown record tag 0x3f at frame offset 17".
    std::string error() const;

private:
    [[nodiscard]] bool decode(Record& out);
    [[nodiscard]] bool parseRecord(Record& out);
    // kReuse: an AllocReuse record, whose address is a rank in m_recentFrees.
    template <bool kReuse>
    [[nodiscard]] bool fastAlloc(AllocRecord& r);
    // kRecent: a FreeRecent record, whose address is a distance back in m_allocAddresses.
    template <bool kRecent>
    [[nodiscard]] bool fastFree(FreeRecord& r);
    [[nodiscard]] bool fastStackNode(StackNodeRecord& r);
    [[nodiscard]] bool parseModule(ModuleRecord& r);
    [[nodiscard]] bool parseStackNode(StackNodeRecord& r);
    template <bool kReuse>
    [[nodiscard]] bool parseAlloc(AllocRecord& r);
    template <bool kRecent>
    [[nodiscard]] bool parseFree(FreeRecord& r);
    [[nodiscard]] bool parseMark(MarkRecord& r);
    [[nodiscard]] bool parseError(ErrorRecord& r);
    [[nodiscard]] bool parseLeakVerdict(LeakVerdictRecord& r);
    [[nodiscard]] bool parseExitStatus(ExitStatusRecord& r);
    [[nodiscard]] bool parseLeakCheck(LeakCheckRecord& r);
    [[nodiscard]] bool getTime(std::uint64_t& timeNs);
    [[nodiscard]] bool getAddress(std::uint64_t& address);
    // A FreeRecent's distance back, looked up in m_allocAddresses.
    [[nodiscard]] bool getRecentAllocAddress(std::uint64_t& address);
    // An AllocReuse's rank, taken from m_recentFrees.
    [[nodiscard]] bool getReusedAddress(std::uint64_t& address);
    [[nodiscard]] bool getStack(StackId& id);
    [[nodiscard]] bool getThread(ThreadIndex& thread);
    [[nodiscard]] bool getEnum(std::uint8_t count, std::uint8_t& value);
    [[nodiscard]] bool getSignedDelta(std::uint64_t& last);
    [[nodiscard]] bool failWith(const char* why);

    layout::ByteCursor m_in;
    const std::uint8_t* m_begin = nullptr;
    const std::uint8_t* m_recordStart = nullptr;
    std::uint8_t m_tag = 0;
    std::uint64_t m_timeQuantumNs = 1;
    layout::DeltaState m_delta; // reset at each frame start
    // The addresses of the frame's Alloc records so far, which FreeRecent records refer back to.
    std::vector<std::uint64_t> m_allocAddresses;
    RecentFrees m_recentFrees; // the frame's latest freed addresses, for AllocReuse records
    bool m_sawEnd = false;
};

} // namespace heapscope::format
