// bench: the `--scale FACTOR` argument every workload program takes (1 is the full size).
#pragma once

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
