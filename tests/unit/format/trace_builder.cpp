// format tests: building traces byte by byte and reading them back.
#include "trace_builder.h"

#include <unistd.h>
#include <zstd.h>

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <iterator>
#include <stdexcept>

#include "format/header_codec.h"
#include "format/layout.h"
#include "format/writer.h"

namespace heapscope::format::testing {
namespace {

const std::string& tempDir() {
    static const std::string dir = [] {
        std::string pattern = "/tmp/heapscope-format-test-XXXXXX";
        if (mkdtemp(pattern.data()) == nullptr) throw std::runtime_error("mkdtemp failed");
        return pattern;
    }();
    return dir;
}

std::string hex(std::uint64_t v) {
    char buf[24];
    std::snprintf(buf, sizeof buf, "0x%llx", static_cast<unsigned long long>(v));
    return buf;
}

struct Describer {
    std::string operator()(const ModuleRecord& r) const {
        std::string s = "Module id=" + std::to_string(r.id.value) +
                        " t=" + std::to_string(r.timeNs) + " bias=" + hex(r.bias) +
                        " path=" + r.path + " buildId=" + std::to_string(r.buildId.size()) + ":";
        for (char c : r.buildId)
            s += hex(static_cast<std::uint8_t>(c)) + ",";
        for (const Segment& seg : r.segments)
            s += " seg=" + hex(seg.start) + "+" + hex(seg.size);
        return s;
    }
    std::string operator()(const ModuleUnloadRecord& r) const {
        return "ModuleUnload id=" + std::to_string(r.id.value) + " t=" + std::to_string(r.timeNs);
    }
    std::string operator()(const StackNodeRecord& r) const {
        return "StackNode id=" + std::to_string(r.id.value) +
               " parent=" + std::to_string(r.parent.value) + " ret=" + hex(r.returnAddress);
    }
    std::string operator()(const ThreadRecord& r) const {
        return "Thread " + std::to_string(r.thread.value) + " t=" + std::to_string(r.timeNs) +
               " tid=" + std::to_string(r.tid) + " name=" + r.name;
    }
    std::string operator()(const ThreadEndRecord& r) const {
        return "ThreadEnd " + std::to_string(r.thread.value) + " t=" + std::to_string(r.timeNs);
    }
    std::string operator()(const AllocRecord& r) const {
        return "Alloc thread=" + std::to_string(r.thread.value) + " t=" + std::to_string(r.timeNs) +
               " addr=" + hex(r.address) + " size=" + std::to_string(r.size) +
               " stack=" + std::to_string(r.stack.value) +
               " family=" + std::to_string(static_cast<int>(r.family));
    }
    std::string operator()(const FreeRecord& r) const {
        return "Free thread=" + std::to_string(r.thread.value) + " t=" + std::to_string(r.timeNs) +
               " addr=" + hex(r.address) + " family=" + std::to_string(static_cast<int>(r.family));
    }
    std::string operator()(const RssRecord& r) const {
        return "Rss t=" + std::to_string(r.timeNs) + " rss=" + std::to_string(r.rssBytes);
    }
    std::string operator()(const MarkRecord& r) const {
        return "Mark thread=" + std::to_string(r.thread.value) + " t=" + std::to_string(r.timeNs) +
               " name=" + r.name;
    }
    std::string operator()(const ErrorRecord& r) const {
        return "Error thread=" + std::to_string(r.thread.value) + " t=" + std::to_string(r.timeNs) +
               " kind=" + std::to_string(static_cast<int>(r.kind)) + " addr=" + hex(r.address) +
               " size=" + std::to_string(r.size) + " stack=" + std::to_string(r.stack.value) +
               " alloc=" + std::to_string(r.allocStack.value) +
               " free=" + std::to_string(r.freeStack.value) + " offset=" + std::to_string(r.offset);
    }
    std::string operator()(const LeakVerdictRecord& r) const {
        return "LeakVerdict addr=" + hex(r.address) +
               " kind=" + std::to_string(static_cast<int>(r.kind)) + " owner=" + hex(r.owner);
    }
    std::string operator()(const LeakCheckRecord& r) const {
        std::string text =
            "LeakCheck t=" + std::to_string(r.timeNs) + " atExit=" + (r.atExit ? "1" : "0");
        for (const LeakTotal& total : r.totals)
            text += " " + std::to_string(total.bytes) + "/" + std::to_string(total.blocks);
        return text;
    }
    std::string operator()(const RecordingRecord& r) const {
        return "Recording t=" + std::to_string(r.timeNs) + " on=" + (r.on ? "1" : "0");
    }
    std::string operator()(const EndRecord& r) const { return "End t=" + std::to_string(r.timeNs); }
    std::string operator()(const ExitStatusRecord& r) const {
        return std::string("ExitStatus signaled=") + (r.signaled ? "1" : "0") +
               " code=" + std::to_string(r.code);
    }
};

} // namespace

std::string tempPath(std::string_view name) {
    static int counter = 0;
    return tempDir() + "/" + std::to_string(++counter) + "-" + std::string(name);
}

void writeFile(const std::string& path, const Bytes& bytes) {
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    out.write(reinterpret_cast<const char*>(bytes.data()),
              static_cast<std::streamsize>(bytes.size()));
    if (!out) throw std::runtime_error("cannot write " + path);
}

Bytes readFile(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) throw std::runtime_error("cannot read " + path);
    return Bytes(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

Bytes join(std::initializer_list<Bytes> parts) {
    Bytes out;
    for (const Bytes& part : parts)
        out.insert(out.end(), part.begin(), part.end());
    return out;
}

Bytes writeTrace(const TraceHeader& header, const std::vector<std::vector<Record>>& frames) {
    const std::string path = tempPath("written.hst");
    TraceWriter writer;
    if (!writer.open(path, header)) throw std::runtime_error("cannot open " + path);
    for (const auto& frame : frames) {
        for (const Record& r : frame)
            writer.write(r);
        if (!writer.flush()) throw std::runtime_error("flush failed");
    }
    if (!writer.close()) throw std::runtime_error("close failed");
    Bytes bytes = readFile(path);
    ::unlink(path.c_str());
    return bytes;
}

Bytes rawFrame(const Bytes& payload) {
    Bytes out(layout::kFrameHeaderBytes + ZSTD_compressBound(payload.size()));
    ZSTD_CCtx* cctx = ZSTD_createCCtx();
    ZSTD_CCtx_setParameter(cctx, ZSTD_c_checksumFlag, 1);
    const std::size_t n =
        ZSTD_compress2(cctx, out.data() + layout::kFrameHeaderBytes,
                       out.size() - layout::kFrameHeaderBytes, payload.data(), payload.size());
    ZSTD_freeCCtx(cctx);
    if (ZSTD_isError(n)) throw std::runtime_error("zstd failed");
    layout::storeLe32(out.data(), kFrameMarker);
    layout::storeLe32(out.data() + 4, static_cast<std::uint32_t>(n));
    layout::storeLe32(out.data() + 8, static_cast<std::uint32_t>(payload.size()));
    out.resize(layout::kFrameHeaderBytes + n);
    return out;
}

Bytes headerBytes(const TraceHeader& header) { return encodeHeader(header); }

ReadBack readTrace(const std::string& path) {
    ReadBack back;
    TraceReader reader;
    back.opened = reader.open(path);
    back.header = reader.header();
    if (!back.opened) {
        back.error = reader.error();
        return back;
    }
    Record r;
    while (reader.next(r))
        back.records.push_back(r);
    back.outcome = reader.outcome();
    back.error = reader.error();
    back.endOfLastCompleteFrame = reader.endOfLastCompleteFrame();
    return back;
}

ReadBack readBytes(const Bytes& bytes) {
    const std::string path = tempPath("read.hst");
    writeFile(path, bytes);
    ReadBack back = readTrace(path);
    ::unlink(path.c_str());
    return back;
}

Record roundedTime(Record record, std::uint64_t timeQuantumNs) {
    std::visit(
        [timeQuantumNs](auto& r) {
            if constexpr (requires { r.timeNs; }) r.timeNs -= r.timeNs % timeQuantumNs;
        },
        record);
    return record;
}

std::string describe(const Record& record) { return std::visit(Describer{}, record); }

std::string describe(const TraceHeader& h) {
    std::string s = "v" + std::to_string(h.version) + " pid=" + std::to_string(h.pid) +
                    " ppid=" + std::to_string(h.ppid) + " exe=" + h.executable + " args=";
    for (const std::string& a : h.commandLine)
        s += "[" + a + "]";
    return s + " start=" + std::to_string(h.startRealtimeNs) +
           " page=" + std::to_string(h.pageSize) + " rate=" + std::to_string(h.sampleRate) +
           " depth=" + std::to_string(h.stackDepth) + " quantum=" + std::to_string(h.timeQuantumNs);
}

TraceHeader sampleHeader() {
    TraceHeader h;
    h.pid = 4242;
    h.ppid = 1;
    h.executable = "/usr/bin/victim";
    h.commandLine = {"victim", "--size", "64K"};
    h.startRealtimeNs = 1'700'000'000'000'000'000ull;
    h.pageSize = 4096;
    h.sampleRate = 0;
    h.stackDepth = 64;
    return h;
}

std::vector<std::vector<Record>> sampleFrames() {
    const ThreadIndex main{0};
    const ThreadIndex worker{1};
    return {
        {ModuleRecord{
             ModuleId{0}, 10, 0x400000, "/usr/bin/victim", "\x12\x34\x56", {{0x401000, 0x2000}}},
         ThreadRecord{main, 20, 4242, "victim"}, StackNodeRecord{StackId{1}, StackId{0}, 0x401234},
         StackNodeRecord{StackId{2}, StackId{1}, 0x401567},
         AllocRecord{main, 100, 0x5000, 32, StackId{2}, AllocFamily::Malloc},
         AllocRecord{main, 150, 0x5040, 64, StackId{1}, AllocFamily::New}, RssRecord{160, 1 << 20}},
        {ThreadRecord{worker, 200, 4243, "worker"},
         AllocRecord{worker, 210, 0x7000, 512, StackId{2}, AllocFamily::NewArray},
         FreeRecord{main, 220, 0x5000, AllocFamily::Malloc}, MarkRecord{worker, 230, "phase 2"},
         ErrorRecord{main, 240, ErrorKind::DoubleFree, 0x5000, 32, StackId{1}, StackId{2},
                     StackId{1}},
         ThreadEndRecord{worker, 250}, ModuleUnloadRecord{ModuleId{0}, 260}},
        {LeakCheckRecord{290, true, {{{512, 1}, {0, 0}, {0, 0}, {64, 1}}}},
         LeakVerdictRecord{0x5040, LeakKind::DefinitelyLost, 0},
         LeakVerdictRecord{0x7000, LeakKind::StillReachable, 0}, EndRecord{300},
         ExitStatusRecord{false, 0}},
    };
}

} // namespace heapscope::format::testing
