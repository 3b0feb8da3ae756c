// recorder: a program ended by a signal. Where a signal's default action would end the program
// (and the program has not set a handler of its own), the recorder's handler first finishes the
// trace: the last events, the exit leak scan and the End record, as memcheck reports before the
// process terminates. Then the default action ends the program as it would without heapscope.
#pragma once

namespace heapscope::recorder {

// Installs the handler for each signal that ends a program by default whose disposition is
// still the default, and gives the calling thread a signal stack. Once recording has started.
void catchDeadlySignals() noexcept;

// A stack overflow's SIGSEGV leaves no stack to run a handler on, and the kernel then ends the
// program at once with the trace unfinished. So while the handler catches SIGSEGV, each thread
// gets an alternate signal stack on its first event, unless it has one of its own.
void giveThreadASignalStack() noexcept;
// Takes the thread's signal stack back, as the thread exits.
void dropThreadSignalStack() noexcept;

} // namespace heapscope::recorder
