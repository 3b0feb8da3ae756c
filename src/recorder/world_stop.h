// recorder: stops every other thread of the process for a leak scan, without ptrace, and
// captures what the scan needs of each: registers, stack pointer, thread pointer.
#pragma once

#include <sys/types.h>
#include <ucontext.h>

#include <atomic>
#include <cstddef>
#include <cstdint>

namespace heapscope::recorder {

// What a stopped thread left for the scan. Written by the thread itself in a signal handler.
struct StoppedThread {
    static constexpr std::size_t kMaxRegisters = 40;
    pid_t tid = 0;
    std::atomic<std::uint32_t> answered{0}; // 1 once the fields below are filled
    std::uint64_t sp = 0;                   // at the interruption
    std::uint64_t threadPointer = 0;        // the TLS base (fs on x86-64, tpidr_el0 on arm64)
    std::size_t registerCount = 0;
    std::uint64_t registers[kMaxRegisters] = {};
};

// Fills slot's registers, stack pointer and thread pointer from a context of the calling
// thread (a signal handler's, or getcontext's).
void captureContext(StoppedThread& slot, const ucontext_t* context) noexcept;

// The calling thread's TLS base (fs on x86-64, tpidr_el0 on arm64).
std::uint64_t currentThreadPointer() noexcept;

// Most callee-saved registers of any architecture (x86-64: 6, arm64: 11).
inline constexpr std::size_t kMaxCalleeSaved = 12;

// Stops every task in /proc/self/task but the caller and `spared` (the recorder's writer
// thread), for as long as the object lives. Each thread is sent a real-time signal with
// tgkill; its handler saves the interrupted context, then sleeps on a futex until resume().
// Why a signal and not ptrace: ptrace is often forbidden (containers, Yama) and impossible
// under a debugger or strace, which is exactly where LeakSanitizer gives up.
// Waits are bounded: a thread that does not answer in time (it blocks the signal, or is
// stuck in the kernel) is left running and reported unanswered, and a stopped thread resumes
// on its own after a long timeout, so the program can never hang on the scan.
class WorldStop {
public:
    // Slots come from mmap'ed memory: no malloc while threads may be stopped inside it.
    WorldStop(pid_t spared) noexcept;
    ~WorldStop();
    WorldStop(const WorldStop&) = delete;
    WorldStop& operator=(const WorldStop&) = delete;

    // Every thread found, answered or not (the caller and the spared thread excluded).
    std::size_t count() const { return m_count; }
    const StoppedThread& thread(std::size_t i) const { return m_threads[i]; }
    // Lets the threads go and restores the previous handler. Called by the destructor.
    void resume() noexcept;

private:
    void listThreads(pid_t self, pid_t spared) noexcept;
    void waitForAnswers() noexcept;

    StoppedThread* m_threads = nullptr;
    std::size_t m_capacity = 0;
    std::size_t m_count = 0;
    bool m_stopped = false;
};

} // namespace heapscope::recorder
