// reports: frames and the command line as one line of text each, the way valgrind's tools write
// them, for the formats that carry them as strings (massif, DHAT, collapsed stacks).
#pragma once

#include <string>

#include "analysis/model.h"
#include "analysis/symbolizer.h"

namespace heapscope::reports {

// "0x4011D6: make_order(int) (/src/app.cpp:45)", "0x4011D6: f (in /usr/lib/libx.so)",
// "0x4011D6: ???" — as massif and DHAT write frames, so their viewers show them alike.
std::string valgrindFrameLabel(const analysis::Frame& frame);

// The function name alone, or the module's file name (or the address) when it is unknown.
std::string shortFrameName(const analysis::Frame& frame);

// The traced command line on one line (the program's path when none was recorded).
std::string commandLineText(const analysis::Model& model);

} // namespace heapscope::reports
