// reports: one line per trace record, for `heapscope dump`.
#include "reports/record_text.h"

#include <fmt/format.h>

namespace heapscope::reports {
std::string_view familyName(format::AllocFamily family) {
    switch (family) {
    case format::AllocFamily::Malloc: return "malloc";
    case format::AllocFamily::New: return "new";
    case format::AllocFamily::NewArray: return "new[]";
    }
    return "unknown";
}

std::string_view leakKindName(format::LeakKind kind) {
    switch (kind) {
    case format::LeakKind::StillReachable: return "still_reachable";
    case format::LeakKind::PossiblyLost: return "possibly_lost";
    case format::LeakKind::IndirectlyLost: return "indirectly_lost";
    case format::LeakKind::DefinitelyLost: return "definitely_lost";
    }
    return "unknown";
}

std::string_view errorKindName(format::ErrorKind kind) {
    switch (kind) {
    case format::ErrorKind::DoubleFree: return "double_free";
    case format::ErrorKind::InvalidFree: return "invalid_free";
    case format::ErrorKind::MismatchedFree: return "mismatched_free";
    }
    return "unknown";
}

namespace {

// Build ids are raw bytes; print them as `readelf -n` does.
std::string hexBytes(const std::string& bytes) {
    std::string out;
    for (const char c : bytes) out += fmt::format("{:02x}", static_cast<unsigned char>(c));
    return out.empty() ? "-" : out;
}

std::string describe(const format::ModuleRecord& r) {
    std::string out = fmt::format("module id={} time={} bias={:#x} build_id={} path={:?}",
                                  r.id.value, r.timeNs, r.bias, hexBytes(r.buildId), r.path);
    for (const auto& segment : r.segments)
        out += fmt::format(" segment={:#x}+{:#x}", segment.start, segment.size);
    return out;
}

std::string describe(const format::ModuleUnloadRecord& r) {
    return fmt::format("module_unload id={} time={}", r.id.value, r.timeNs);
}

std::string describe(const format::StackNodeRecord& r) {
    return fmt::format("stack id={} parent={} return_address={:#x}", r.id.value, r.parent.value,
                       r.returnAddress);
}

std::string describe(const format::ThreadRecord& r) {
    return fmt::format("thread thread={} time={} tid={} name={:?}", r.thread.value, r.timeNs, r.tid,
                       r.name);
}

std::string describe(const format::ThreadEndRecord& r) {
    return fmt::format("thread_end thread={} time={}", r.thread.value, r.timeNs);
}

std::string describe(const format::AllocRecord& r) {
    return fmt::format("alloc thread={} time={} address={:#x} size={} stack={} family={}",
                       r.thread.value, r.timeNs, r.address, r.size, r.stack.value,
                       familyName(r.family));
}

std::string describe(const format::FreeRecord& r) {
    return fmt::format("free thread={} time={} address={:#x} family={}", r.thread.value, r.timeNs,
                       r.address, familyName(r.family));
}

std::string describe(const format::RssRecord& r) {
    return fmt::format("rss time={} bytes={}", r.timeNs, r.rssBytes);
}

std::string describe(const format::MarkRecord& r) {
    return fmt::format("mark thread={} time={} name={:?}", r.thread.value, r.timeNs, r.name);
}

std::string describe(const format::ErrorRecord& r) {
    return fmt::format("error thread={} time={} kind={} address={:#x} size={} stack={} "
                       "alloc_stack={} free_stack={} offset={}",
                       r.thread.value, r.timeNs, errorKindName(r.kind), r.address, r.size,
                       r.stack.value, r.allocStack.value, r.freeStack.value, r.offset);
}

std::string describe(const format::LeakVerdictRecord& r) {
    if (r.owner == 0)
        return fmt::format("leak_verdict address={:#x} kind={}", r.address, leakKindName(r.kind));
    return fmt::format("leak_verdict address={:#x} kind={} owner={:#x}", r.address,
                       leakKindName(r.kind), r.owner);
}

std::string describe(const format::LeakCheckRecord& r) {
    std::string text = fmt::format("leak_check time={} at_exit={}", r.timeNs, r.atExit ? 1 : 0);
    for (std::uint8_t kind = 0; kind < format::kLeakKindCount; ++kind)
        text += fmt::format(" {}={}/{}", leakKindName(static_cast<format::LeakKind>(kind)),
                            r.totals[kind].bytes, r.totals[kind].blocks);
    return text;
}

std::string describe(const format::RecordingRecord& r) {
    return fmt::format("recording time={} on={}", r.timeNs, r.on ? 1 : 0);
}

std::string describe(const format::EndRecord& r) { return fmt::format("end time={}", r.timeNs); }

std::string describe(const format::ExitStatusRecord& r) {
    return fmt::format("exit_status {}={}", r.signaled ? "signal" : "code", r.code);
}

} // namespace

std::string headerText(const format::TraceHeader& h) {
    std::string commandLine;
    for (const auto& word : h.commandLine) commandLine += fmt::format(" {:?}", word);
    return fmt::format("header version={} pid={} ppid={} executable={:?} start_realtime_ns={} "
                       "page_size={} sample_rate={} stack_depth={} command_line=[{} ]",
                       h.version, h.pid, h.ppid, h.executable, h.startRealtimeNs, h.pageSize,
                       h.sampleRate, h.stackDepth, commandLine);
}

std::string recordText(const format::Record& record) {
    return std::visit([](const auto& r) { return describe(r); }, record);
}

} // namespace heapscope::reports
