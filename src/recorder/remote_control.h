// recorder: the requests of `heapscope ctl` (start, stop, mark NAME, leak-check), received on
// the control endpoint by the writer thread and carried out through the tracker.
#pragma once

#include <sys/types.h>

namespace heapscope::recorder {

// Binds the endpoint of process pid (at start-up and in a forked child). Failure is logged.
void openRemoteControl(pid_t pid) noexcept;
void closeRemoteControl() noexcept;
// Answers every waiting request (the writer thread, after each cycle).
void pollRemoteControl() noexcept;

} // namespace heapscope::recorder
