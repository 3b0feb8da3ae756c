// recorder: a program ended by a signal. Where a signal's default action would end the program
// (and the program has not set a handler of its own), the recorder's handler first finishes the
// trace: the last events, the exit leak scan and the End record, as memcheck reports before the
// process terminates. Then the default action ends the program as it would without heapscope.
#pragma once

namespace heapscope::recorder {

// Installs the handler for each signal that ends a program by default whose disposition is
// still the default. Once recording has started.
void catchDeadlySignals() noexcept;

} // namespace heapscope::recorder
