// analysis: comparing two runs for `heapscope diff`. Call sites are matched by their symbolized
// stacks (function names), not by addresses, so two builds of a program compare site by site.
#pragma once

#include <array>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "analysis/model.h"
#include "analysis/symbolizer.h"

namespace heapscope::analysis {

// The figures diff tracks, for the whole run and for each site.
struct DiffFigures {
    std::uint64_t allocations = 0;
    std::uint64_t bytesAllocated = 0;
    std::uint64_t peakBytes = 0;
    std::uint64_t leakedBytes = 0;
};

enum class DiffFigure { Allocations, BytesAllocated, PeakBytes, LeakedBytes };
inline constexpr std::array<DiffFigure, 4> kDiffFigures = {
    DiffFigure::Allocations, DiffFigure::BytesAllocated, DiffFigure::PeakBytes,
    DiffFigure::LeakedBytes};

// "allocations", "bytes_allocated", "peak_bytes", "leaked_bytes" (the JSON keys).
std::string_view diffFigureName(DiffFigure figure);
std::uint64_t diffFigureValue(const DiffFigures& figures, DiffFigure figure);

// One whole-run figure of both runs. regressed: it grew by more than the threshold (from zero,
// any growth counts).
struct FigureChange {
    DiffFigure figure = DiffFigure::Allocations;
    std::uint64_t base = 0;
    std::uint64_t current = 0;
    bool regressed = false;
};

// A site of either run, or of both when their stacks match. The stacks are those of their own
// run (baseStack of the base model, newStack of the new one).
struct SiteChange {
    std::optional<StackId> baseStack;
    std::optional<StackId> newStack;
    DiffFigures base;
    DiffFigures current;
};

struct DiffResult {
    double thresholdPercent = 0;
    std::vector<FigureChange> totals; // in the order of kDiffFigures
    std::vector<SiteChange> sites;    // largest change of bytes allocated first
    bool regressed = false;           // any of the totals regressed
};

// What makes two sites the same site: their frames' function names (file and module for a frame
// without one), innermost first.
std::string siteKey(const std::vector<Frame>& frames);

// The frames of a stack of the given model.
using DiffStackResolver = std::function<std::vector<Frame>(const Model&, StackId)>;

// Whether `current` grew from `base` by more than thresholdPercent.
bool grewPast(std::uint64_t base, std::uint64_t current, double thresholdPercent);

DiffResult diffModels(const Model& base, const Model& current, double thresholdPercent,
                      const DiffStackResolver& resolve);

} // namespace heapscope::analysis
