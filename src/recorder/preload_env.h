// recorder: keeps programs started with exec from being traced (unless
// HEAPSCOPE_TRACE_CHILDREN): the recorder's entry is removed from LD_PRELOAD at start-up.
#pragma once

namespace heapscope::recorder {

// Edits the LD_PRELOAD string in the environment in place (no allocation), dropping every
// entry whose file name starts with "libheapscope".
void removeSelfFromPreload() noexcept;

// The same edit on one LD_PRELOAD value (entries separated by ':' or spaces).
void stripRecorderEntries(char* value) noexcept;

} // namespace heapscope::recorder
