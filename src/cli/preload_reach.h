// cli: why the recorder could not be preloaded into a program, told when `heapscope run` finds
// no trace. LD_PRELOAD works through the dynamic loader, which never runs in a statically linked
// program and ignores LD_PRELOAD for a set-user-ID or set-group-ID one.
#pragma once

#include <string>

namespace heapscope::cli {

// The reason, or empty when nothing about the program's file rules preloading out. program is
// looked up on PATH as execvp does when it names no directory.
std::string whyPreloadCannotReach(const std::string& program);

} // namespace heapscope::cli
