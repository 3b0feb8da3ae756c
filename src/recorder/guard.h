// recorder: the re-entrancy guard. While set on a thread (the recorder's own work, libunwind's
// internal allocations, the writer thread for its whole life) the hooks forward to the real
// functions without recording. Initial-exec TLS: reading it never calls malloc.
#pragma once

namespace heapscope::recorder {

inline constinit thread_local bool t_inRecorder = false;
// Set for the whole life of the recorder's own threads (the writer, a leak check's thread):
// nothing they allocate is the program's.
inline constinit thread_local bool t_recorderThread = false;

class RecorderGuard {
public:
    RecorderGuard() noexcept : m_previous(t_inRecorder) { t_inRecorder = true; }
    ~RecorderGuard() { t_inRecorder = m_previous; }
    RecorderGuard(const RecorderGuard&) = delete;
    RecorderGuard& operator=(const RecorderGuard&) = delete;

private:
    bool m_previous;
};

} // namespace heapscope::recorder
