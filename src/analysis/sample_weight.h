// analysis: the weight of a sampled allocation, the one place that turns a sampled trace's blocks
// into unbiased estimates of the whole run's counts and bytes (replay, reports, SQL).
#pragma once

#include <cmath>
#include <cstdint>

namespace heapscope::analysis {

// The recorder samples by bytes: a countdown with exponential gaps of mean `rate` bytes picks
// the block it lands in, so a block of s bytes is kept with probability p(s) = 1 - exp(-s/rate).
// Each kept block stands for 1/p(s) blocks (and s/p(s) bytes): the Horvitz-Thompson estimate
// tcmalloc and pprof use. Rate 0 means every block was recorded: weight 1, bytes exactly s.
class SampleWeights {
public:
    explicit SampleWeights(std::uint64_t rate = 0) : m_rate(static_cast<double>(rate)) {}

    bool sampled() const { return m_rate > 0; }

    // How many blocks one recorded block of `size` bytes stands for (>= 1).
    double weight(std::uint64_t size) const {
        if (!sampled() || size == 0) return 1.0;
        // expm1 keeps the precision for blocks far smaller than the rate.
        return -1.0 / std::expm1(-static_cast<double>(size) / m_rate);
    }

    // The bytes one recorded block stands for, rounded once per block so that the live figures
    // stay integers whose allocs and frees cancel exactly.
    std::uint64_t bytes(std::uint64_t size) const {
        if (!sampled()) return size;
        return static_cast<std::uint64_t>(std::llround(static_cast<double>(size) * weight(size)));
    }

private:
    double m_rate;
};

// An estimated count as the integer the reports show.
inline std::uint64_t roundedCount(double count) {
    return count <= 0 ? 0 : static_cast<std::uint64_t>(std::llround(count));
}

} // namespace heapscope::analysis
