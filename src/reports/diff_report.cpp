// reports: `heapscope diff` as text and as JSON.
#include "reports/diff_report.h"

#include <fmt/format.h>

#include "common/sizes.h"
#include "reports/json_frames.h"

namespace heapscope::reports {
namespace {

bool changed(const analysis::SiteChange& site) {
    for (const auto figure : analysis::kDiffFigures) {
        if (analysis::diffFigureValue(site.base, figure) !=
            analysis::diffFigureValue(site.current, figure))
            return true;
    }
    return false;
}

std::int64_t delta(std::uint64_t base, std::uint64_t current) {
    return static_cast<std::int64_t>(current) - static_cast<std::int64_t>(base);
}

bool isBytes(analysis::DiffFigure figure) { return figure != analysis::DiffFigure::Allocations; }

std::string figureText(analysis::DiffFigure figure, std::uint64_t value) {
    return isBytes(figure) ? formatSize(value) : formatCount(value);
}

std::string deltaText(analysis::DiffFigure figure, std::uint64_t base, std::uint64_t current) {
    const std::int64_t d = delta(base, current);
    std::string text = isBytes(figure) ? formatSignedSize(d) : fmt::format("{:+}", d);
    if (base != 0) {
        text +=
            fmt::format(" ({:+.1f}%)", static_cast<double>(d) * 100.0 / static_cast<double>(base));
    }
    return text;
}

std::string_view figureTitle(analysis::DiffFigure figure) {
    switch (figure) {
    case analysis::DiffFigure::Allocations:
        return "allocations";
    case analysis::DiffFigure::BytesAllocated:
        return "bytes allocated";
    case analysis::DiffFigure::PeakBytes:
        return "peak heap";
    case analysis::DiffFigure::LeakedBytes:
        return "leaked";
    }
    return "";
}

nlohmann::ordered_json figuresJson(const analysis::DiffFigures& f) {
    nlohmann::ordered_json out;
    for (const auto figure : analysis::kDiffFigures)
        out[std::string(analysis::diffFigureName(figure))] = analysis::diffFigureValue(f, figure);
    return out;
}

} // namespace

std::string diffText(const analysis::DiffResult& diff, std::size_t limit,
                     const DiffFrames& frames) {
    std::string out = fmt::format("{:<18}{:>14}{:>14}  {}\n", "", "base", "new", "change");
    for (const auto& t : diff.totals) {
        out += fmt::format(
            "{:<18}{:>14}{:>14}  {}{}\n", figureTitle(t.figure), figureText(t.figure, t.base),
            figureText(t.figure, t.current), deltaText(t.figure, t.base, t.current),
            t.regressed ? fmt::format("  REGRESSION (over {}%)", diff.thresholdPercent) : "");
    }
    std::size_t shown = 0;
    for (const auto& site : diff.sites) {
        if (shown == limit) break;
        if (!changed(site)) continue;
        if (shown++ == 0) out += "\nsites that changed most (by bytes allocated):\n";
        out += fmt::format("\n{}:", !site.baseStack  ? "new site"
                                    : !site.newStack ? "gone"
                                                     : "site");
        for (const auto figure : analysis::kDiffFigures) {
            const auto base = analysis::diffFigureValue(site.base, figure);
            const auto current = analysis::diffFigureValue(site.current, figure);
            out += fmt::format(" {} {} -> {},", figureTitle(figure), figureText(figure, base),
                               figureText(figure, current));
        }
        out.back() = '\n';
        for (const auto& frame : frames(site)) {
            out += fmt::format(
                "  {}{}\n", frame.function.value_or(hexAddress(frame.address)),
                frame.file ? fmt::format(" at {}:{}", *frame.file, frame.line.value_or(0)) : "");
        }
    }
    out +=
        diff.regressed
            ? fmt::format("\nregression: a figure grew by more than {}%\n", diff.thresholdPercent)
            : fmt::format("\nno figure grew by more than {}%\n", diff.thresholdPercent);
    return out;
}

nlohmann::ordered_json diffJson(const analysis::DiffResult& diff, std::size_t limit,
                                const DiffFrames& frames) {
    nlohmann::ordered_json totals = nlohmann::ordered_json::object();
    for (const auto& t : diff.totals) {
        totals[std::string(analysis::diffFigureName(t.figure))] =
            nlohmann::ordered_json{{"base", t.base},
                                   {"new", t.current},
                                   {"change", delta(t.base, t.current)},
                                   {"regressed", t.regressed}};
    }
    nlohmann::ordered_json sites = nlohmann::ordered_json::array();
    for (const auto& site : diff.sites) {
        if (sites.size() == limit) break;
        if (!changed(site)) continue;
        sites.push_back(nlohmann::ordered_json{{"base", figuresJson(site.base)},
                                               {"new", figuresJson(site.current)},
                                               {"stack", stackJson(frames(site))}});
    }
    return nlohmann::ordered_json{{"threshold_percent", diff.thresholdPercent},
                                  {"regressed", diff.regressed},
                                  {"totals", std::move(totals)},
                                  {"sites", std::move(sites)}};
}

} // namespace heapscope::reports
