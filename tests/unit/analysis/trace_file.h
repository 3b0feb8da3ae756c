// tests (analysis): writes synthetic traces with TraceWriter into a temporary file, so the
// analysis is tested on figures known by construction.
#pragma once

#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdint>
#include <filesystem>
#include <string>

#include "analysis/model.h"
#include "format/writer.h"

namespace heapscope::analysis::test {

class TraceFile {
public:
    // sampleRate: the header's, as `heapscope run --sample-rate` writes it (0: every block).
    explicit TraceFile(const std::string& name, std::uint64_t sampleRate = 0)
        // The pid keeps apart the test cases ctest runs at the same time from one fixture.
        : m_path(::testing::TempDir() + name + "." + std::to_string(::getpid()) + ".hst") {
        format::TraceHeader header;
        header.sampleRate = sampleRate;
        header.pid = 4242;
        header.executable = "/usr/bin/victim";
        header.commandLine = {"/usr/bin/victim", "--run"};
        header.pageSize = 4096;
        EXPECT_TRUE(m_writer.open(m_path, header));
    }
    ~TraceFile() { std::filesystem::remove(m_path); }
    TraceFile(const TraceFile&) = delete;
    TraceFile& operator=(const TraceFile&) = delete;

    const std::string& path() const { return m_path; }
    format::TraceWriter& writer() { return m_writer; }

    template <typename R> TraceFile& operator<<(const R& record) {
        m_writer.write(record);
        return *this;
    }

    // Writes the current frame; returns the file size after it.
    std::uint64_t flush() {
        EXPECT_TRUE(m_writer.flush());
        return std::filesystem::file_size(m_path);
    }
    void close() { EXPECT_TRUE(m_writer.close()); }

    // A stack of one frame per id: stack n is the root plus return address 0x1000 * n.
    TraceFile& stacks(std::uint32_t count) {
        for (std::uint32_t i = 1; i <= count; ++i)
            m_writer.write(format::StackNodeRecord{StackId{i}, StackId{0}, 0x1000u * i});
        return *this;
    }

private:
    std::string m_path;
    format::TraceWriter m_writer;
};

inline format::AllocRecord alloc(std::uint64_t timeNs, std::uint64_t address, std::uint64_t size,
                                 std::uint32_t stack, std::uint32_t thread = 0) {
    return format::AllocRecord{ThreadIndex{thread},        timeNs, address, size, StackId{stack},
                               format::AllocFamily::Malloc};
}

inline format::FreeRecord release(std::uint64_t timeNs, std::uint64_t address,
                                  std::uint32_t thread = 0) {
    return format::FreeRecord{ThreadIndex{thread}, timeNs, address, format::AllocFamily::Malloc};
}

inline format::EndRecord end(std::uint64_t timeNs) { return format::EndRecord{timeNs}; }

// The figures of the site with this stack; a default (all zero) entry when it never allocated.
inline SiteStats siteOf(const Model& model, std::uint32_t stack) {
    for (const SiteStats& s : model.sites)
        if (s.stack == StackId{stack}) return s;
    return SiteStats{StackId{stack}};
}

} // namespace heapscope::analysis::test
