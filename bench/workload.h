// bench: what every workload program shares: its `--scale FACTOR` argument (1 is the full size)
// and a deterministic random number generator.
#pragma once

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string_view>

// Returns the factor, or a value <= 0 after printing the usage line when it is not valid.
inline double workloadScale(int argc, char** argv, const char* program) {
    double scale = 1.0;
    for (int i = 1; i + 1 < argc; ++i) {
        if (std::string_view(argv[i]) == "--scale") scale = std::strtod(argv[i + 1], nullptr);
    }
    if (!(scale > 0.0)) std::fprintf(stderr, "usage: %s [--scale FACTOR>0]\n", program);
    return scale;
}

// splitmix64: deterministic, so every run and every tool sees the same sizes and call paths.
inline std::uint64_t nextRandom(std::uint64_t& state) {
    std::uint64_t z = (state += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}
