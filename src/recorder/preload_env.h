// recorder: the environment programs started with exec inherit: the recorder's entry is removed
// from LD_PRELOAD at start-up (unless HEAPSCOPE_TRACE_CHILDREN), and its settings are exported.
#pragma once

namespace heapscope::recorder {

// Edits the LD_PRELOAD string in the environment in place (no allocation), dropping every
// entry whose file name starts with "libheapscope".
void removeSelfFromPreload() noexcept;

// The same edit on one LD_PRELOAD value (entries separated by ':' or spaces).
void stripRecorderEntries(char* value) noexcept;

// setenv(name, value, 1) with the C library's setenv, not one the program defines: a shell's
// own setenv, run before its main, would build its variable tables from untraced memory.
void exportToChildren(const char* name, const char* value) noexcept;

} // namespace heapscope::recorder
