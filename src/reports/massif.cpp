// reports: massif's output format.
#include "reports/massif.h"

#include <algorithm>
#include <map>
#include <memory>

#include <fmt/format.h>

#include "reports/valgrind_text.h"

namespace heapscope::reports {
namespace {

// Children below this share of the snapshot are folded into one line, as massif does by
// default (--threshold=1.0).
constexpr double kThresholdPercent = 1.0;

struct TreeNode {
    std::uint64_t bytes = 0;
    std::map<std::string, std::unique_ptr<TreeNode>> children; // by frame label
};

struct Snapshot {
    std::uint64_t timeNs = 0;
    std::uint64_t heapBytes = 0;
    enum class Kind { Empty, Detailed, Peak } kind = Kind::Empty;
    std::uint64_t analysis::SiteStats::*siteBytes = nullptr; // for the detailed ones
};

void writeNode(std::string& out, const TreeNode& node, const std::string& label, int depth,
               std::uint64_t total) {
    std::vector<std::pair<const std::string*, const TreeNode*>> shown;
    std::uint64_t foldedBytes = 0;
    std::size_t foldedCount = 0;
    for (const auto& [childLabel, child] : node.children) {
        if (static_cast<double>(child->bytes) * 100.0 >=
            kThresholdPercent * static_cast<double>(total)) {
            shown.emplace_back(&childLabel, child.get());
        } else {
            foldedBytes += child->bytes;
            ++foldedCount;
        }
    }
    std::stable_sort(shown.begin(), shown.end(), [](const auto& a, const auto& b) {
        return a.second->bytes > b.second->bytes;
    });
    const std::size_t lines = shown.size() + (foldedCount > 0 ? 1 : 0);
    out += fmt::format("{:{}}n{}: {} {}\n", "", depth, lines, node.bytes, label);
    for (const auto& [childLabel, child] : shown)
        writeNode(out, *child, *childLabel, depth + 1, total);
    if (foldedCount > 0) {
        out += fmt::format("{:{}}n0: {} in {} place{}, below massif's threshold ({:.2f}%)\n", "",
                           depth + 1, foldedBytes, foldedCount, foldedCount == 1 ? "" : "s",
                           kThresholdPercent);
    }
}

// The allocation tree of one snapshot: the root, then the callers of the allocation functions,
// then theirs, each node the sum of the sites below it.
std::string heapTree(const analysis::Model& model, std::uint64_t analysis::SiteStats::*siteBytes,
                     std::uint64_t total, const StackResolver& resolve) {
    TreeNode root;
    for (const auto& site : model.sites) {
        const std::uint64_t bytes = site.*siteBytes;
        if (bytes == 0) continue;
        root.bytes += bytes;
        TreeNode* node = &root;
        auto frames = resolve(site.stack);
        if (frames.empty()) frames.push_back(analysis::Frame{});
        for (const auto& frame : frames) {
            auto& child = node->children[valgrindFrameLabel(frame)];
            if (!child) child = std::make_unique<TreeNode>();
            child->bytes += bytes;
            node = child.get();
        }
    }
    std::string out;
    writeNode(out, root, "(heap allocation functions) malloc/new/new[], --alloc-fns, etc.", 0,
              total);
    return out;
}

std::vector<Snapshot> chooseSnapshots(const analysis::Model& model) {
    const analysis::Summary& s = model.summary;
    std::vector<Snapshot> snapshots{Snapshot{}};
    // Evenly spaced timeline points, keeping room for the peak and the end.
    const std::size_t room = kMassifMaxSnapshots - 3;
    const std::size_t step = std::max<std::size_t>(1, (model.timeline.size() + room - 1) / room);
    bool peakSeen = false;
    for (std::size_t i = 0; i < model.timeline.size(); ++i) {
        const auto& point = model.timeline[i];
        const bool isPeak = !peakSeen && s.peakHeapBytes > 0 &&
                            point.heapBytes == s.peakHeapBytes && point.timeNs == s.peakHeapTimeNs;
        if (isPeak) {
            peakSeen = true;
            snapshots.push_back(Snapshot{point.timeNs, point.heapBytes, Snapshot::Kind::Peak,
                                         &analysis::SiteStats::peakBytes});
        } else if (i % step == 0 && point.timeNs < s.runtimeNs) {
            snapshots.push_back(Snapshot{point.timeNs, point.heapBytes});
        }
    }
    if (!peakSeen && s.peakHeapBytes > 0) {
        // A timeline without the peak point (none is recorded in a hand-built Model).
        snapshots.push_back(Snapshot{s.peakHeapTimeNs, s.peakHeapBytes, Snapshot::Kind::Peak,
                                     &analysis::SiteStats::peakBytes});
    }
    std::stable_sort(snapshots.begin(), snapshots.end(),
                     [](const Snapshot& a, const Snapshot& b) { return a.timeNs < b.timeNs; });
    snapshots.push_back(Snapshot{std::max(s.runtimeNs, snapshots.back().timeNs), s.leakedBytes,
                                 Snapshot::Kind::Detailed, &analysis::SiteStats::leakedBytes});
    return snapshots;
}

} // namespace

std::string massifOutput(const analysis::Model& model, const StackResolver& resolve) {
    std::string out = fmt::format("desc: (recorded by heapscope)\ncmd: {}\ntime_unit: ms\n",
                                  commandLineText(model));
    const auto snapshots = chooseSnapshots(model);
    for (std::size_t i = 0; i < snapshots.size(); ++i) {
        const Snapshot& snap = snapshots[i];
        out += fmt::format("#-----------\nsnapshot={}\n#-----------\ntime={}\nmem_heap_B={}\n"
                           "mem_heap_extra_B=0\nmem_stacks_B=0\n",
                           i, snap.timeNs / 1'000'000, snap.heapBytes);
        switch (snap.kind) {
        case Snapshot::Kind::Empty:
            out += "heap_tree=empty\n";
            break;
        case Snapshot::Kind::Detailed:
        case Snapshot::Kind::Peak:
            out += snap.kind == Snapshot::Kind::Peak ? "heap_tree=peak\n" : "heap_tree=detailed\n";
            out += heapTree(model, snap.siteBytes, snap.heapBytes, resolve);
            break;
        }
    }
    return out;
}

} // namespace heapscope::reports
