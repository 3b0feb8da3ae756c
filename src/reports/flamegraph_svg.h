// reports: `flamegraph -o FILE.svg`, a static flame graph of one metric: main at the bottom,
// allocating functions on top, each frame as wide as its share; hovering shows the figures.
#pragma once

#include <string>

#include "reports/flame_tree.h"

namespace heapscope::reports {

// The width below which a frame is merged into its parent's "[N smaller frames]".
inline constexpr double kFlameMinFraction = 1.0 / 2000;

std::string flamegraphSvg(const FlameTree& tree, SiteOrder metric, const std::string& title);

} // namespace heapscope::reports
