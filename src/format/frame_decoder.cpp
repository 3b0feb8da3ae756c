// format: FrameDecoder, the inverse of TraceWriter's record encoding (docs/format.md). Every
// read stays inside the frame and every enum and id is range-checked, so no input can crash it.
#include "format/frame_decoder.h"

#include <cstdio>

#include "common/varint.h"

namespace heapscope::format {
namespace {

// Reuses the alternative out already holds, so strings and vectors keep their capacity and a
// run of Alloc records costs no allocation.
template <typename T>
T& reuse(Record& out) {
    if (T* r = std::get_if<T>(&out)) return *r;
    return out.emplace<T>();
}

// Indexed by RecordTag; 0 is no tag.
constexpr const char* kTagNames[] = {nullptr,     "Module",       "ModuleUnload", "StackNode",
                                     "Thread",    "ThreadSwitch", "Alloc",        "Free",
                                     "Rss",       "Mark",         "Error",        "LeakVerdict",
                                     "End",       "ThreadEnd",    "ExitStatus",   "LeakCheck",
                                     "Recording", "FreeRecent",   "AllocReuse"};

// The most bytes after the tag of the records with a fast path (docs/format.md "Records").
constexpr std::ptrdiff_t kMaxAllocBody = 4 * kMaxVarintBytes + 1;
constexpr std::ptrdiff_t kMaxFreeBody = 2 * kMaxVarintBytes + 1; // Free and FreeRecent
constexpr std::ptrdiff_t kMaxStackNodeBody = 3 * kMaxVarintBytes;

std::uint64_t plusDelta(std::uint64_t last, std::uint64_t zigzagged) {
    // Modular arithmetic, the inverse of the writer's: every u64 value round-trips.
    return last + static_cast<std::uint64_t>(zigzagDecode(zigzagged));
}

} // namespace

void FrameDecoder::reset(const std::uint8_t* data, std::size_t size) {
    m_in = layout::ByteCursor{data, data + size};
    m_begin = data;
    m_recordStart = data;
    m_tag = 0;
    m_delta = {};
    m_sawEnd = false;
    m_allocAddresses.clear();
    m_recentFrees.clear();
}

[[gnu::always_inline]] inline bool FrameDecoder::decode(Record& out) {
    for (;;) {
        m_recordStart = m_in.p;
        if (!m_in.byte(m_tag)) return failWith("frame ends where a record should start");
        if (m_tag != static_cast<std::uint8_t>(RecordTag::ThreadSwitch)) break;
        ThreadIndex thread;
        if (!m_in.u32(thread.value)) return failWith(m_in.why);
        m_delta.currentThread = thread.value;
        if (atEnd()) return failWith("frame ends after a thread switch");
    }
    return parseRecord(out) || failWith(m_in.why);
}

// Alloc, Free and StackNode are nearly all of a trace's records. Where the frame holds their
// longest encoding, their fast path decodes them without bounds checks; anything it refuses is
// decoded again by the checked path, which refuses it too and says why.
[[gnu::always_inline]] inline bool FrameDecoder::parseRecord(Record& out) {
    const std::ptrdiff_t left = m_in.end - m_in.p;
    switch (static_cast<RecordTag>(m_tag)) {
    case RecordTag::Module:
        return parseModule(reuse<ModuleRecord>(out));
    case RecordTag::ModuleUnload: {
        auto& r = reuse<ModuleUnloadRecord>(out);
        return m_in.u32(r.id.value) && getTime(r.timeNs);
    }
    case RecordTag::StackNode: {
        auto& r = reuse<StackNodeRecord>(out);
        return (left >= kMaxStackNodeBody && fastStackNode(r)) || parseStackNode(r);
    }
    case RecordTag::Thread: {
        auto& r = reuse<ThreadRecord>(out);
        return m_in.u32(r.thread.value) && getTime(r.timeNs) && m_in.varint(r.tid) &&
               m_in.string(r.name);
    }
    case RecordTag::ThreadEnd: {
        auto& r = reuse<ThreadEndRecord>(out);
        return m_in.u32(r.thread.value) && getTime(r.timeNs);
    }
    case RecordTag::Alloc: {
        auto& r = reuse<AllocRecord>(out);
        return (left >= kMaxAllocBody && fastAlloc<false>(r)) || parseAlloc<false>(r);
    }
    case RecordTag::AllocReuse: {
        auto& r = reuse<AllocRecord>(out);
        return (left >= kMaxAllocBody && fastAlloc<true>(r)) || parseAlloc<true>(r);
    }
    case RecordTag::Free: {
        auto& r = reuse<FreeRecord>(out);
        return (left >= kMaxFreeBody && fastFree<false>(r)) || parseFree<false>(r);
    }
    case RecordTag::FreeRecent: {
        auto& r = reuse<FreeRecord>(out);
        return (left >= kMaxFreeBody && fastFree<true>(r)) || parseFree<true>(r);
    }
    case RecordTag::Rss: {
        auto& r = reuse<RssRecord>(out);
        return getTime(r.timeNs) && m_in.varint(r.rssBytes);
    }
    case RecordTag::Mark:
        return parseMark(reuse<MarkRecord>(out));
    case RecordTag::Error:
        return parseError(reuse<ErrorRecord>(out));
    case RecordTag::LeakVerdict:
        return parseLeakVerdict(reuse<LeakVerdictRecord>(out));
    case RecordTag::End:
        m_sawEnd = true;
        return getTime(reuse<EndRecord>(out).timeNs);
    case RecordTag::ExitStatus:
        return parseExitStatus(reuse<ExitStatusRecord>(out));
    case RecordTag::LeakCheck:
        return parseLeakCheck(reuse<LeakCheckRecord>(out));
    case RecordTag::Recording: {
        auto& r = reuse<RecordingRecord>(out);
        std::uint8_t on = 0;
        if (!(getTime(r.timeNs) && getEnum(2, on))) return false;
        r.on = on != 0;
        return true;
    }
    case RecordTag::ThreadSwitch:
        break; // consumed by decode()
    }
    m_in.why = "unknown record tag";
    return false;
}

bool FrameDecoder::nextMany(Record* out, std::size_t max, std::size_t& count) {
    for (count = 0; count < max && !atEnd(); ++count)
        if (!decode(out[count])) return false;
    return true;
}

// The fast paths read into locals and commit them, to the record and the delta state, only
// once every field checked out, so a refusal leaves the decoder as it found it.
template <bool kReuse>
bool FrameDecoder::fastAlloc(AllocRecord& r) {
    const std::uint8_t* p = m_in.p;
    std::uint64_t time = 0, address = 0, size = 0, stack = 0; // address: a rank when kReuse
    if (!(decodeVarintUnchecked(p, time) && decodeVarintUnchecked(p, address) &&
          decodeVarintUnchecked(p, size) && decodeVarintUnchecked(p, stack)))
        return false;
    const std::uint8_t family = *p++;
    const std::uint64_t stackId = plusDelta(m_delta.lastStackId, stack);
    if (m_delta.currentThread == layout::DeltaState::kNoThread || stackId > UINT32_MAX ||
        family >= kAllocFamilyCount)
        return false;
    if (kReuse && (address == 0 || address > m_recentFrees.size())) return false;
    m_delta.lastTime = plusDelta(m_delta.lastTime, time);
    m_delta.lastAddress = kReuse ? m_recentFrees.take(static_cast<std::uint32_t>(address))
                                 : plusDelta(m_delta.lastAddress, address);
    m_delta.lastStackId = stackId;
    r.thread.value = static_cast<std::uint32_t>(m_delta.currentThread);
    r.timeNs = m_delta.lastTime * m_timeQuantumNs;
    r.address = m_delta.lastAddress;
    r.size = size;
    r.stack.value = static_cast<std::uint32_t>(stackId);
    r.family = static_cast<AllocFamily>(family);
    m_in.p = p;
    m_allocAddresses.push_back(r.address);
    return true;
}

template <bool kRecent>
bool FrameDecoder::fastFree(FreeRecord& r) {
    const std::uint8_t* p = m_in.p;
    std::uint64_t time = 0, address = 0; // address: how many Allocs back when kRecent
    if (!(decodeVarintUnchecked(p, time) && decodeVarintUnchecked(p, address))) return false;
    const std::uint8_t family = *p++;
    if (m_delta.currentThread == layout::DeltaState::kNoThread || family >= kAllocFamilyCount)
        return false;
    if (kRecent && (address == 0 || address > m_allocAddresses.size())) return false;
    m_delta.lastTime = plusDelta(m_delta.lastTime, time);
    m_delta.lastAddress = kRecent ? m_allocAddresses[m_allocAddresses.size() - address]
                                  : plusDelta(m_delta.lastAddress, address);
    r.thread.value = static_cast<std::uint32_t>(m_delta.currentThread);
    r.timeNs = m_delta.lastTime * m_timeQuantumNs;
    r.address = m_delta.lastAddress;
    r.family = static_cast<AllocFamily>(family);
    m_in.p = p;
    m_recentFrees.noteFree(r.address);
    return true;
}

bool FrameDecoder::fastStackNode(StackNodeRecord& r) {
    const std::uint8_t* p = m_in.p;
    std::uint64_t id = 0, parent = 0, returnAddress = 0;
    if (!(decodeVarintUnchecked(p, id) && decodeVarintUnchecked(p, parent) &&
          decodeVarintUnchecked(p, returnAddress)))
        return false;
    const std::uint64_t idValue = plusDelta(m_delta.lastStackId, id);
    const std::uint64_t parentValue = plusDelta(idValue, parent);
    if (idValue > UINT32_MAX || parentValue > UINT32_MAX) return false;
    m_delta.lastStackId = parentValue;
    m_delta.lastReturnAddress = plusDelta(m_delta.lastReturnAddress, returnAddress);
    r.id.value = static_cast<std::uint32_t>(idValue);
    r.parent.value = static_cast<std::uint32_t>(parentValue);
    r.returnAddress = m_delta.lastReturnAddress;
    m_in.p = p;
    return true;
}

bool FrameDecoder::parseModule(ModuleRecord& r) {
    std::uint64_t count = 0;
    if (!(m_in.u32(r.id.value) && getTime(r.timeNs) && m_in.varint(r.bias) && m_in.string(r.path) &&
          m_in.string(r.buildId) && m_in.varint(count)))
        return false;
    // A segment takes at least two bytes: this bounds the vector by the frame size.
    if (count > static_cast<std::uint64_t>(m_in.end - m_in.p) / 2) {
        m_in.why = "segment count past the end";
        return false;
    }
    r.segments.resize(count);
    for (Segment& s : r.segments)
        if (!(m_in.varint(s.start) && m_in.varint(s.size))) return false;
    return true;
}

bool FrameDecoder::parseStackNode(StackNodeRecord& r) {
    if (!(getStack(r.id) && getStack(r.parent) && getSignedDelta(m_delta.lastReturnAddress)))
        return false;
    r.returnAddress = m_delta.lastReturnAddress;
    return true;
}

template <bool kReuse>
bool FrameDecoder::parseAlloc(AllocRecord& r) {
    std::uint8_t family = 0;
    if (!(getThread(r.thread) && getTime(r.timeNs) &&
          (kReuse ? getReusedAddress(r.address) : getAddress(r.address)) && m_in.varint(r.size) &&
          getStack(r.stack) && getEnum(kAllocFamilyCount, family)))
        return false;
    r.family = static_cast<AllocFamily>(family);
    m_allocAddresses.push_back(r.address);
    return true;
}

template <bool kRecent>
bool FrameDecoder::parseFree(FreeRecord& r) {
    std::uint8_t family = 0;
    if (!(getThread(r.thread) && getTime(r.timeNs) &&
          (kRecent ? getRecentAllocAddress(r.address) : getAddress(r.address)) &&
          getEnum(kAllocFamilyCount, family)))
        return false;
    r.family = static_cast<AllocFamily>(family);
    m_recentFrees.noteFree(r.address);
    return true;
}

bool FrameDecoder::parseMark(MarkRecord& r) {
    return getThread(r.thread) && getTime(r.timeNs) && m_in.string(r.name);
}

bool FrameDecoder::parseError(ErrorRecord& r) {
    std::uint8_t kind = 0;
    if (!(getThread(r.thread) && getTime(r.timeNs) && getEnum(kErrorKindCount, kind) &&
          getAddress(r.address) && m_in.varint(r.size) && getStack(r.stack) &&
          getStack(r.allocStack) && getStack(r.freeStack) && m_in.varint(r.offset)))
        return false;
    r.kind = static_cast<ErrorKind>(kind);
    return true;
}

bool FrameDecoder::parseLeakVerdict(LeakVerdictRecord& r) {
    std::uint8_t kind = 0;
    std::uint64_t owner = 0;
    if (!(getAddress(r.address) && getEnum(kLeakKindCount, kind) && m_in.varint(owner)))
        return false;
    r.kind = static_cast<LeakKind>(kind);
    // The writer's inverse: 0 is no owner, otherwise the owner relative to the block.
    r.owner = owner == 0 ? 0 : r.address + static_cast<std::uint64_t>(zigzagDecode(owner));
    return true;
}

bool FrameDecoder::parseLeakCheck(LeakCheckRecord& r) {
    std::uint8_t atExit = 0;
    if (!(getTime(r.timeNs) && getEnum(2, atExit))) return false;
    for (LeakTotal& total : r.totals)
        if (!(m_in.varint(total.bytes) && m_in.varint(total.blocks))) return false;
    r.atExit = atExit != 0;
    return true;
}

bool FrameDecoder::parseExitStatus(ExitStatusRecord& r) {
    std::uint8_t signaled = 0;
    std::uint64_t code = 0;
    if (!(getEnum(2, signaled) && m_in.varint(code))) return false;
    const std::int64_t value = zigzagDecode(code);
    if (value < INT32_MIN || value > INT32_MAX) {
        m_in.why = "exit code out of range";
        return false;
    }
    r.signaled = signaled != 0;
    r.code = static_cast<std::int32_t>(value);
    return true;
}

[[gnu::always_inline]] inline bool FrameDecoder::getSignedDelta(std::uint64_t& last) {
    std::uint64_t delta = 0;
    if (!m_in.varint(delta)) return false;
    last = plusDelta(last, delta);
    return true;
}

[[gnu::always_inline]] inline bool FrameDecoder::getTime(std::uint64_t& timeNs) {
    if (!getSignedDelta(m_delta.lastTime)) return false;
    // The writer stored time / quantum, so this never exceeds the time written; on hostile
    // input it wraps (unsigned), which is a wrong time but never undefined.
    timeNs = m_delta.lastTime * m_timeQuantumNs;
    return true;
}

[[gnu::always_inline]] inline bool FrameDecoder::getAddress(std::uint64_t& address) {
    if (!getSignedDelta(m_delta.lastAddress)) return false;
    address = m_delta.lastAddress;
    return true;
}

[[gnu::always_inline]] inline bool FrameDecoder::getRecentAllocAddress(std::uint64_t& address) {
    std::uint64_t back = 0;
    if (!m_in.varint(back)) return false;
    if (back == 0 || back > m_allocAddresses.size()) {
        m_in.why = "no such earlier Alloc in the frame";
        return false;
    }
    address = m_delta.lastAddress = m_allocAddresses[m_allocAddresses.size() - back];
    return true;
}

[[gnu::always_inline]] inline bool FrameDecoder::getReusedAddress(std::uint64_t& address) {
    std::uint64_t rank = 0;
    if (!m_in.varint(rank)) return false;
    if (rank == 0 || rank > m_recentFrees.size()) {
        m_in.why = "no such earlier Free in the frame";
        return false;
    }
    address = m_delta.lastAddress = m_recentFrees.take(static_cast<std::uint32_t>(rank));
    return true;
}

[[gnu::always_inline]] inline bool FrameDecoder::getStack(StackId& id) {
    if (!getSignedDelta(m_delta.lastStackId)) return false;
    if (m_delta.lastStackId > UINT32_MAX) {
        m_in.why = "stack id out of range";
        return false;
    }
    id.value = static_cast<std::uint32_t>(m_delta.lastStackId);
    return true;
}

[[gnu::always_inline]] inline bool FrameDecoder::getThread(ThreadIndex& thread) {
    if (m_delta.currentThread == layout::DeltaState::kNoThread) {
        m_in.why = "record before any thread switch";
        return false;
    }
    thread.value = static_cast<std::uint32_t>(m_delta.currentThread);
    return true;
}

[[gnu::always_inline]] inline bool FrameDecoder::getEnum(std::uint8_t count, std::uint8_t& value) {
    if (!m_in.byte(value)) return false;
    if (value < count) return true;
    m_in.why = "enum value out of range";
    return false;
}

bool FrameDecoder::failWith(const char* why) {
    m_in.why = why;
    return false;
}

std::string FrameDecoder::error() const {
    char line[160];
    const std::ptrdiff_t offset = m_recordStart - m_begin;
    const char* name = m_tag < std::size(kTagNames) ? kTagNames[m_tag] : nullptr;
    if (name == nullptr)
        std::snprintf(line, sizeof line, "unknown record tag 0x%02x at frame offset %td", m_tag,
                      offset);
    else
        std::snprintf(line, sizeof line, "%s in %s record at frame offset %td",
                      m_in.why ? m_in.why : "bad value", name, offset);
    return line;
}

} // namespace heapscope::format
