// recorder: the deadly signals' handler (see deadly_signals.h).
#include "recorder/deadly_signals.h"

#include <dlfcn.h>
#include <signal.h>
#include <ucontext.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>

#include "recorder/guard.h"
#include "recorder/mapped_memory.h"
#include "recorder/tracker.h"

namespace heapscope::recorder {
namespace {

// The signals whose default action ends the process, less SIGKILL and SIGSTOP (no handler) and
// SIGALRM (the watchdog below). SIGPIPE included: memcheck reports on a broken pipe too.
constexpr int kDeadlySignals[] = {SIGHUP,  SIGINT,  SIGQUIT, SIGILL,  SIGTRAP, SIGABRT,
                                  SIGBUS,  SIGFPE,  SIGUSR1, SIGSEGV, SIGUSR2, SIGPIPE,
                                  SIGTERM, SIGXCPU, SIGXFSZ, SIGSYS};

// Finishing the trace may block on a lock the interrupted code holds (a crash inside malloc):
// after this long the watchdog lets the signal's default action happen anyway.
constexpr unsigned kFinishSeconds = 10;

using SigactionFn = int (*)(int, const struct sigaction*, struct sigaction*);
using SignalFn = sighandler_t (*)(int, sighandler_t);
// Resolved when the library is loaded; the hooks below make the system call's work through them.
SigactionFn s_sigaction = nullptr;
SignalFn s_signal = nullptr;
__attribute__((constructor)) void resolveSignalFunctions() {
    s_sigaction = reinterpret_cast<SigactionFn>(dlsym(RTLD_NEXT, "sigaction"));
    s_signal = reinterpret_cast<SignalFn>(dlsym(RTLD_NEXT, "signal"));
}

std::atomic<int> s_endingSignal{0};

// Finishing the trace on the signal stack needs between 8 and 16 KiB for the stack overflow
// victim (tests/victims/stack_overflow.cpp): 256 KiB leaves room for larger programs, and only
// the pages touched are committed. A guard page below makes an overflow of the signal stack
// itself end the program by SIGSEGV, as without heapscope, not write into another mapping.
constexpr std::size_t kSignalStackBytes = 256u << 10;
std::atomic<bool> s_catchesSegv{false};
constinit thread_local void* t_signalStack = nullptr; // the mapping, guard page first

std::size_t pageBytes() noexcept { return static_cast<std::size_t>(sysconf(_SC_PAGESIZE)); }

void setDefault(int signal) noexcept {
    struct sigaction action {};
    action.sa_handler = SIG_DFL;
    s_sigaction(signal, &action, nullptr);
}

void onWatchdog(int) {
    const int signal = s_endingSignal.load(std::memory_order_relaxed);
    setDefault(signal);
    kill(getpid(), signal);
}

void armWatchdog(int signal) noexcept {
    s_endingSignal.store(signal, std::memory_order_relaxed);
    struct sigaction action {};
    action.sa_handler = &onWatchdog;
    s_sigaction(SIGALRM, &action, nullptr);
    sigset_t alarmOnly;
    sigemptyset(&alarmOnly);
    sigaddset(&alarmOnly, SIGALRM);
    pthread_sigmask(SIG_UNBLOCK, &alarmOnly, nullptr);
    alarm(kFinishSeconds);
}

// SA_RESETHAND has put the default action back: raising the signal again takes it.
void onDeadlySignal(int signal, siginfo_t*, void* context) {
    const int savedErrno = errno;
    // Interrupted inside the recorder (which may hold its own locks), or already finishing: end.
    if (!t_inRecorder && isRecording()) {
        armWatchdog(signal);
        noteInterruptedExit(static_cast<const ucontext_t*>(context));
        noteDeathBySignal(signal);
        shutdown();
    }
    errno = savedErrno;
    raise(signal);
}

bool isOurHandler(const struct sigaction& action) noexcept {
    return (action.sa_flags & SA_SIGINFO) != 0 && action.sa_sigaction == &onDeadlySignal;
}

} // namespace

void catchDeadlySignals() noexcept {
    // The recorder may start before this file's constructor has run: the order of constructors
    // across files is the linker's (clang's build had start() first, and caught nothing).
    if (s_sigaction == nullptr) resolveSignalFunctions();
    if (s_sigaction == nullptr) return;
    for (const int signal : kDeadlySignals) {
        struct sigaction current {};
        if (s_sigaction(signal, nullptr, &current) != 0 || current.sa_handler != SIG_DFL ||
            (current.sa_flags & SA_SIGINFO) != 0)
            continue;
        struct sigaction action {};
        action.sa_sigaction = &onDeadlySignal;
        action.sa_flags = SA_SIGINFO | SA_RESETHAND | SA_NODEFER | SA_RESTART | SA_ONSTACK;
        sigemptyset(&action.sa_mask);
        if (s_sigaction(signal, &action, nullptr) == 0 && signal == SIGSEGV)
            s_catchesSegv.store(true, std::memory_order_relaxed);
    }
    giveThreadASignalStack();
}

void giveThreadASignalStack() noexcept {
    if (t_signalStack != nullptr || !s_catchesSegv.load(std::memory_order_relaxed)) return;
    stack_t current{};
    if (sigaltstack(nullptr, &current) != 0 || (current.ss_flags & SS_DISABLE) == 0) return;
    const std::size_t guard = pageBytes();
    auto* memory = static_cast<std::uint8_t*>(mapZeroed(guard + kSignalStackBytes));
    if (memory == nullptr) return;
    stack_t ours{};
    ours.ss_sp = memory + guard;
    ours.ss_size = kSignalStackBytes;
    if (mprotect(memory, guard, PROT_NONE) != 0 || sigaltstack(&ours, nullptr) != 0) {
        unmap(memory, guard + kSignalStackBytes);
        return;
    }
    t_signalStack = memory;
}

void dropThreadSignalStack() noexcept {
    if (t_signalStack == nullptr) return;
    const std::size_t guard = pageBytes();
    auto* memory = static_cast<std::uint8_t*>(t_signalStack);
    stack_t current{};
    if (sigaltstack(nullptr, &current) == 0 && current.ss_sp == memory + guard) {
        if ((current.ss_flags & SS_ONSTACK) != 0) return; // exiting from the handler: keep it
        stack_t off{};
        off.ss_flags = SS_DISABLE;
        sigaltstack(&off, nullptr);
    }
    // Replaced by the program's own, ours is no longer in use either way.
    unmap(memory, guard + kSignalStackBytes);
    t_signalStack = nullptr;
}

} // namespace heapscope::recorder

// The program asks for and sets dispositions as if the recorder's handler were the default
// action it stands for: Python, for one, takes SIGINT for KeyboardInterrupt only from SIG_DFL.
extern "C" {

__attribute__((visibility("default"))) int sigaction(int signal, const struct sigaction* action,
                                                     struct sigaction* previous) noexcept {
    using namespace heapscope::recorder;
    if (s_sigaction == nullptr) resolveSignalFunctions();
    const int rc = s_sigaction(signal, action, previous);
    if (rc == 0 && previous != nullptr && isOurHandler(*previous)) {
        *previous = {};
        previous->sa_handler = SIG_DFL;
    }
    return rc;
}

__attribute__((visibility("default"))) sighandler_t signal(int signal,
                                                           sighandler_t handler) noexcept {
    using namespace heapscope::recorder;
    if (s_signal == nullptr) resolveSignalFunctions();
    const sighandler_t previous = s_signal(signal, handler);
    const bool ours = reinterpret_cast<void*>(previous) == reinterpret_cast<void*>(&onDeadlySignal);
    return ours ? SIG_DFL : previous;
}

} // extern "C"
