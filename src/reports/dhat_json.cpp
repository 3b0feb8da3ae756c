// reports: DHAT's JSON.
#include "reports/dhat_json.h"

#include <map>
#include <unordered_map>

#include "reports/valgrind_text.h"

namespace heapscope::reports {
namespace {

// dh_view calls blocks living at most this long on average "short-lived"; DHAT's default is 500
// instructions, about this many nanoseconds on a current machine.
constexpr std::uint64_t kShortLivedNs = 1000;

struct ProgramPoint {
    std::uint64_t totalBytes = 0, totalBlocks = 0, lifetimeNs = 0;
    std::uint64_t maxBytes = 0, maxBlocks = 0;
    std::uint64_t gmaxBytes = 0, gmaxBlocks = 0;
    std::uint64_t endBytes = 0, endBlocks = 0;
};

// The frame table: index 0 is DHAT's "[root]", then each distinct frame line once.
class FrameTable {
public:
    FrameTable() : m_table(nlohmann::ordered_json::array({"[root]"})) {}

    std::size_t index(const std::string& label) {
        const auto [it, inserted] = m_index.try_emplace(label, m_table.size());
        if (inserted) m_table.push_back(label);
        return it->second;
    }
    nlohmann::ordered_json take() { return std::move(m_table); }

private:
    nlohmann::ordered_json m_table;
    std::unordered_map<std::string, std::size_t> m_index;
};

} // namespace

nlohmann::ordered_json dhatJson(const analysis::Model& model, const StackResolver& resolve) {
    FrameTable frames;
    // dh_view rejects two program points with the same frames: stacks that symbolize alike
    // are one program point.
    std::map<std::vector<std::size_t>, ProgramPoint> points;
    for (const auto& site : model.sites) {
        std::vector<std::size_t> fs;
        for (const auto& frame : resolve(site.stack))
            fs.push_back(frames.index(valgrindFrameLabel(frame)));
        if (fs.empty()) fs.push_back(frames.index("[unknown stack]"));
        ProgramPoint& pp = points[fs];
        const analysis::SiteLifetime lifetime = site.stack.value < model.siteLifetimes.size()
                                                    ? model.siteLifetimes[site.stack.value]
                                                    : analysis::SiteLifetime{};
        pp.totalBytes += site.bytesAllocated;
        pp.totalBlocks += site.allocations;
        pp.lifetimeNs += lifetime.totalLifetimeNs;
        // Merged stacks each had their own maximum, perhaps at different times; their sum is the
        // closest bound the Model keeps.
        pp.maxBytes += lifetime.max.bytes;
        pp.maxBlocks += lifetime.max.blocks;
        pp.gmaxBytes += site.peakBytes;
        pp.gmaxBlocks += lifetime.peakBlocks;
        pp.endBytes += site.leakedBytes;
        pp.endBlocks += site.leakedBlocks;
    }

    nlohmann::ordered_json pps = nlohmann::ordered_json::array();
    for (const auto& [fs, pp] : points) {
        pps.push_back(nlohmann::ordered_json{{"tb", pp.totalBytes},
                                             {"tbk", pp.totalBlocks},
                                             {"tl", pp.lifetimeNs},
                                             {"mb", pp.maxBytes},
                                             {"mbk", pp.maxBlocks},
                                             {"gb", pp.gmaxBytes},
                                             {"gbk", pp.gmaxBlocks},
                                             {"eb", pp.endBytes},
                                             {"ebk", pp.endBlocks},
                                             {"fs", fs}});
    }
    const analysis::Summary& s = model.summary;
    return nlohmann::ordered_json{
        {"dhatFileVersion", 2},  {"mode", "heap"},        {"verb", "Allocated"},
        {"bklt", true},          {"bkacc", false},        {"tu", "ns"},
        {"Mtu", "ms"},           {"tuth", kShortLivedNs}, {"cmd", commandLineText(model)},
        {"pid", s.pid},          {"te", s.runtimeNs},     {"tg", s.peakHeapTimeNs},
        {"pps", std::move(pps)}, {"ftbl", frames.take()}};
}

} // namespace heapscope::reports
