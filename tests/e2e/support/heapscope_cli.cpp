// e2e support: the heapscope command line as the tests drive it, see heapscope_cli.h.
#include "heapscope_cli.h"

#include <cstdlib>
#include <fstream>
#include <iterator>
#include <map>
#include <memory>
#include <stdexcept>

namespace heapscope::e2e {

namespace {

// Large enough for every site any victim or real program has.
constexpr std::string_view kAllSites = "1000000";

nlohmann::json parseJsonOutput(const std::vector<std::string>& args) {
    const Result result = heapscope(args);
    std::string command = "heapscope";
    for (const auto& arg : args) {
        command += " " + arg;
    }
    if (!result.exited() || result.exitCode() != 0) {
        throw std::runtime_error(command + ": " + result.describe());
    }
    try {
        return nlohmann::json::parse(result.out);
    } catch (const nlohmann::json::exception& error) {
        throw std::runtime_error(command + ": not JSON (" + error.what() + "):\n" + result.out);
    }
}

} // namespace

std::string heapscopeBinary() { return HEAPSCOPE_BINARY_DIR "/bin/heapscope"; }

std::string recorderLibrary() { return HEAPSCOPE_BINARY_DIR "/lib/libheapscope.so"; }

std::string victimPath(std::string_view name) {
    return std::string(HEAPSCOPE_VICTIM_DIR) + "/" + std::string(name);
}

TempDir::TempDir() {
    const char* base = std::getenv("TMPDIR");
    std::string pattern =
        std::string(base != nullptr && *base != '\0' ? base : "/tmp") + "/heapscope-e2e-XXXXXX";
    if (mkdtemp(pattern.data()) == nullptr) {
        throw std::runtime_error("mkdtemp failed for " + pattern);
    }
    m_path = pattern;
}

TempDir::~TempDir() {
    std::error_code ignored;
    std::filesystem::remove_all(m_path, ignored);
}

std::string TempDir::file(std::string_view name) const { return (m_path / name).string(); }

Result heapscopeRun(const std::string& trace, const std::vector<std::string>& program,
                    const std::vector<std::string>& options) {
    Command command;
    command.argv = {heapscopeBinary(), "run", "--quiet", "-o", trace};
    command.argv.insert(command.argv.end(), options.begin(), options.end());
    command.argv.emplace_back("--");
    command.argv.insert(command.argv.end(), program.begin(), program.end());
    return run(command);
}

const Recording& recordOnce(const std::vector<std::string>& program,
                            const std::vector<std::string>& options) {
    static TempDir s_dir;
    static std::map<std::vector<std::string>, std::unique_ptr<Recording>> s_recordings;
    std::vector<std::string> key = program;
    key.insert(key.end(), options.begin(), options.end());
    auto& slot = s_recordings[key];
    if (!slot) {
        const std::string name = std::filesystem::path(program.front()).filename().string();
        const std::string trace =
            s_dir.file(name + "." + std::to_string(s_recordings.size()) + ".hst");
        slot = std::make_unique<Recording>(Recording{trace, heapscopeRun(trace, program, options)});
    }
    return *slot;
}

::testing::AssertionResult exitedCleanly(const Result& result) {
    if (result.exited() && result.exitCode() == 0) {
        return ::testing::AssertionSuccess();
    }
    return ::testing::AssertionFailure() << result.describe();
}

Result heapscope(const std::vector<std::string>& args) {
    Command command;
    command.argv = {heapscopeBinary()};
    command.argv.insert(command.argv.end(), args.begin(), args.end());
    return run(command);
}

nlohmann::json summaryJson(const std::string& trace) {
    return parseJsonOutput({"summary", trace, "--json"});
}

nlohmann::json topJson(const std::string& trace, std::string_view by) {
    return parseJsonOutput(
        {"top", trace, "--json", "--by", std::string(by), "-n", std::string(kAllSites)});
}

bool frameMatches(const nlohmann::json& frame, std::string_view function) {
    const auto name = frame.find("function");
    return name != frame.end() && name->is_string() &&
           name->get_ref<const std::string&>().find(function) != std::string::npos;
}

bool stackContains(const nlohmann::json& stack, std::string_view function) {
    for (const auto& frame : stack) {
        if (frameMatches(frame, function)) {
            return true;
        }
    }
    return false;
}

SiteTotals siteTotals(const nlohmann::json& top, std::string_view function) {
    SiteTotals totals;
    for (const auto& site : top) {
        if (!stackContains(site.at("stack"), function)) {
            continue;
        }
        ++totals.entries;
        totals.allocations += site.at("allocations").get<std::uint64_t>();
        totals.bytesAllocated += site.at("bytes_allocated").get<std::uint64_t>();
        totals.peakBytes += site.at("peak_bytes").get<std::uint64_t>();
        totals.leakedBytes += site.at("leaked_bytes").get<std::uint64_t>();
        totals.temporaryAllocations += site.at("temporary_allocations").get<std::uint64_t>();
    }
    return totals;
}

nlohmann::json findSite(const nlohmann::json& top, std::string_view function) {
    for (const auto& site : top) {
        if (stackContains(site.at("stack"), function)) {
            return site;
        }
    }
    return nullptr;
}

std::uint64_t sumOf(const nlohmann::json& top, const char* field) {
    std::uint64_t sum = 0;
    for (const auto& site : top) {
        sum += site.at(field).get<std::uint64_t>();
    }
    return sum;
}

std::string fileContents(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

std::string withoutHeapscopeLines(std::string_view err) {
    std::string kept;
    std::size_t start = 0;
    while (start < err.size()) {
        const auto end = err.find('\n', start);
        const auto next = end == std::string_view::npos ? err.size() : end + 1;
        const auto line = err.substr(start, next - start);
        if (!line.starts_with("heapscope:")) {
            kept += line;
        }
        start = next;
    }
    return kept;
}

} // namespace heapscope::e2e
