// recorder: WorldStop, a signal-based stop of the other threads for the leak scan. Only
// async-signal-safe work happens in the handler: no malloc, no locks, atomics and futexes.
#include "recorder/world_stop.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/syscall.h>
#include <ucontext.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <ctime>

#include "common/clock.h"
#include "recorder/futex.h"
#include "recorder/mapped_memory.h"

namespace heapscope::recorder {
namespace {

// Far from SIGRTMIN, which glibc and threading libraries use, and from SIGRTMAX, which
// programs most often pick for themselves.
int stopSignal() { return SIGRTMAX - 3; }

constexpr std::size_t kMaxThreads = 16384;
// How long the stopper waits for every thread to answer, and how long a stopped thread waits
// to be released before it resumes on its own (far longer than any scan).
constexpr std::uint64_t kAnswerTimeoutNs = 500'000'000;
constexpr std::uint64_t kStopTimeoutNs = 60'000'000'000;
constexpr long kPollNs = 10'000'000;
constexpr int kListRounds = 4; // threads started while stopping are caught by re-listing

// The stop in progress; the handler finds its slot here. One stop at a time (the callers
// serialise scans).
std::atomic<StoppedThread*> s_threads{nullptr};
std::atomic<std::size_t> s_count{0};
std::atomic<std::uint32_t> s_answers{0};
std::atomic<std::uint32_t> s_released{1};
struct sigaction s_previous;
bool s_handlerKept = false; // see resume()

pid_t currentTid() { return static_cast<pid_t>(::syscall(SYS_gettid)); }

} // namespace

std::uint64_t currentThreadPointer() noexcept {
    std::uint64_t tp = 0;
#if defined(__x86_64__)
    asm volatile("mov %%fs:0, %0" : "=r"(tp));
#elif defined(__aarch64__)
    asm volatile("mrs %0, tpidr_el0" : "=r"(tp));
#endif
    return tp;
}

namespace {

void onStopSignal(int, siginfo_t* info, void* context) {
    const int savedErrno = errno;
    StoppedThread* threads = s_threads.load(std::memory_order_acquire);
    // Only our own tgkill stops a thread; a stray or late signal returns at once.
    if (threads == nullptr || info->si_code != SI_TKILL || info->si_pid != ::getpid()) {
        errno = savedErrno;
        return;
    }
    const pid_t tid = currentTid();
    const std::size_t count = s_count.load(std::memory_order_acquire);
    for (std::size_t i = 0; i < count; ++i) {
        StoppedThread& slot = threads[i];
        if (slot.tid != tid || slot.answered.load(std::memory_order_relaxed) != 0) continue;
        captureContext(slot, static_cast<const ucontext_t*>(context));
        slot.answered.store(1, std::memory_order_release);
        s_answers.fetch_add(1, std::memory_order_release);
        futexWakeAll(s_answers);
        const std::uint64_t deadline = monotonicNowNs() + kStopTimeoutNs;
        while (s_released.load(std::memory_order_acquire) == 0 && monotonicNowNs() < deadline)
            futexWait(s_released, 0, kPollNs);
        break;
    }
    errno = savedErrno;
}

} // namespace

void captureContext(StoppedThread& slot, const ucontext_t* uc) noexcept {
#if defined(__x86_64__)
    static_assert(NGREG <= StoppedThread::kMaxRegisters);
    for (int i = 0; i < NGREG; ++i)
        slot.registers[i] = static_cast<std::uint64_t>(uc->uc_mcontext.gregs[i]);
    slot.registerCount = NGREG;
    slot.sp = static_cast<std::uint64_t>(uc->uc_mcontext.gregs[REG_RSP]);
#elif defined(__aarch64__)
    for (int i = 0; i < 31; ++i)
        slot.registers[i] = uc->uc_mcontext.regs[i];
    slot.registerCount = 31;
    slot.sp = uc->uc_mcontext.sp;
#endif
    slot.threadPointer = currentThreadPointer();
}

WorldStop::WorldStop(pid_t spared) noexcept {
    m_threads = mapArray<StoppedThread>(kMaxThreads);
    if (m_threads == nullptr) return;
    m_capacity = kMaxThreads;
    struct sigaction action;
    std::memset(&action, 0, sizeof action);
    action.sa_sigaction = &onStopSignal;
    action.sa_flags = SA_SIGINFO | SA_RESTART;
    sigfillset(&action.sa_mask); // the program's own handlers wait until the thread resumes
    s_released.store(0, std::memory_order_release);
    s_answers.store(0, std::memory_order_release);
    s_count.store(0, std::memory_order_release);
    s_threads.store(m_threads, std::memory_order_release);
    if (s_handlerKept) {
        ::sigaction(stopSignal(), &action, nullptr);
    } else {
        ::sigaction(stopSignal(), &action, &s_previous);
    }
    m_stopped = true;
    listThreads(currentTid(), spared);
    waitForAnswers();
}

WorldStop::~WorldStop() {
    resume();
    unmapArray(m_threads, m_capacity);
}

void WorldStop::listThreads(pid_t self, pid_t spared) noexcept {
    for (int round = 0; round < kListRounds; ++round) {
        const std::size_t before = m_count;
        const int fd = ::open("/proc/self/task", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (fd < 0) return;
        alignas(8) char buffer[4096];
        for (;;) {
            const long n = ::syscall(SYS_getdents64, fd, buffer, sizeof buffer);
            if (n <= 0) break;
            for (long offset = 0; offset < n;) {
                // struct linux_dirent64: u64 ino, s64 off, u16 reclen, u8 type, char name[].
                unsigned short length = 0;
                std::memcpy(&length, buffer + offset + 16, sizeof length);
                const char* name = buffer + offset + 19;
                offset += length;
                if (name[0] < '0' || name[0] > '9') continue;
                pid_t tid = 0;
                for (const char* p = name; *p >= '0' && *p <= '9'; ++p)
                    tid = tid * 10 + (*p - '0');
                if (tid == self || tid == spared || m_count == m_capacity) continue;
                bool known = false;
                for (std::size_t i = 0; i < m_count && !known; ++i)
                    known = m_threads[i].tid == tid;
                if (known) continue;
                m_threads[m_count].tid = tid;
                s_count.store(m_count + 1, std::memory_order_release);
                // A thread that exited in between (ESRCH) simply never answers.
                ::syscall(SYS_tgkill, ::getpid(), tid, stopSignal());
                ++m_count;
            }
        }
        ::close(fd);
        if (m_count == before) return;
    }
}

void WorldStop::waitForAnswers() noexcept {
    const std::uint64_t deadline = monotonicNowNs() + kAnswerTimeoutNs;
    for (;;) {
        const std::uint32_t answers = s_answers.load(std::memory_order_acquire);
        if (answers >= m_count || monotonicNowNs() >= deadline) return;
        futexWait(s_answers, answers, kPollNs);
    }
}

void WorldStop::resume() noexcept {
    if (!m_stopped) return;
    m_stopped = false;
    bool allAnswered = true;
    for (std::size_t i = 0; i < m_count; ++i)
        allAnswered = allAnswered && m_threads[i].answered.load(std::memory_order_acquire) != 0;
    s_released.store(1, std::memory_order_release);
    futexWakeAll(s_released);
    // A released thread no longer touches its slot; a signal delivered from now on finds no
    // stop in progress and returns at once.
    s_threads.store(nullptr, std::memory_order_release);
    // A thread that did not answer may still have our signal pending (it blocks it): restoring
    // a default action would then kill the process later. Our handler stays installed then; it
    // returns at once outside a stop.
    if (allAnswered && !s_handlerKept) {
        ::sigaction(stopSignal(), &s_previous, nullptr);
    } else {
        s_handlerKept = true;
    }
}

} // namespace heapscope::recorder
