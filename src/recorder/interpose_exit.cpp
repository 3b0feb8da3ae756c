// recorder: the hooks that end the process image without running library destructors
// (_exit, _Exit, the exec family): the trace is finished first, so it is complete. And the
// start of main, from where exit's status reaches the trace.
#include <alloca.h>
#include <dlfcn.h>
#include <stdarg.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cstdlib>

#include "recorder/tracker.h"

#define HEAPSCOPE_EXPORT __attribute__((visibility("default")))

namespace {

using heapscope::recorder::CallerRoots;
using heapscope::recorder::captureCaller;
using heapscope::recorder::noteExitStack;
using heapscope::recorder::noteExitStatus;
using heapscope::recorder::shutdown;
using heapscope::recorder::ShutdownScan;

template <typename Fn>
Fn next(const char* name) noexcept {
    return reinterpret_cast<Fn>(dlsym(RTLD_NEXT, name));
}

using MainFn = int (*)(int, char**, char**);
using StartMainFn = int (*)(MainFn, int, char**, void (*)(), void (*)(), void (*)(), void*);

MainFn s_programMain = nullptr;

// Inlined into the hooks below, so the stack recorded starts at the hook's own frame.
[[gnu::always_inline]] inline void noteExit(int status) noexcept {
    CallerRoots roots;
    captureCaller(roots);
    noteExitStack(roots);
    noteExitStatus(status);
}

void onProgramExit(int status, void*) { noteExit(status); }

// exit() (and so a return from main) hands its status to on_exit handlers, which run in the
// reverse order of their registration. Registered here, after __libc_start_main registered the
// library destructors' run, the handler sees the status before the recorder's destructor ends
// the trace; registered in the recorder's constructor, it would run after it.
int mainWithExitStatus(int argc, char** argv, char** envp) {
    (void)on_exit(&onProgramExit, nullptr); // without it the trace only lacks the status
    // A sibling call in optimised builds (gcc: a jmp), so no frame of this wrapper sits under
    // main in the stacks; where one does, the symbolizer drops it as any recorder frame.
    return s_programMain(argc, argv, envp);
}

using ExecveFn = int (*)(const char*, char* const[], char* const[]);
using ExecvpeFn = int (*)(const char*, char* const[], char* const[]);
using FexecveFn = int (*)(int, char* const[], char* const[]);

// Collects execl-style variadic arguments (after arg0, up to the terminating null) into a
// null-terminated array on the caller's stack.
#define HEAPSCOPE_COLLECT_ARGS(argv, arg0, ap)                                                     \
    do {                                                                                           \
        std::size_t count = 1;                                                                     \
        va_start(ap, arg0);                                                                        \
        while (va_arg(ap, char*) != nullptr)                                                       \
            ++count;                                                                               \
        va_end(ap);                                                                                \
        argv = static_cast<char**>(alloca((count + 1) * sizeof(char*)));                           \
        argv[0] = const_cast<char*>(arg0);                                                         \
        va_start(ap, arg0);                                                                        \
        for (std::size_t i = 1; i <= count; ++i)                                                   \
            argv[i] = va_arg(ap, char*);                                                           \
    } while (0)

} // namespace

extern "C" {

HEAPSCOPE_EXPORT int __libc_start_main(MainFn main, int argc, char** argv, void (*init)(),
                                       void (*fini)(), void (*rtldFini)(), void* stackEnd) {
    const auto real = next<StartMainFn>("__libc_start_main");
    s_programMain = main;
    return real(&mainWithExitStatus, argc, argv, init, fini, rtldFini, stackEnd);
}

HEAPSCOPE_EXPORT void _exit(int status) {
    noteExit(status);
    shutdown();
    if (auto real = next<void (*)(int)>("_exit")) real(status);
    for (;;)
        syscall(SYS_exit_group, status);
}

HEAPSCOPE_EXPORT void _Exit(int status) noexcept {
    noteExit(status);
    shutdown();
    if (auto real = next<void (*)(int)>("_Exit")) real(status);
    for (;;)
        syscall(SYS_exit_group, status);
}

// A successful exec replaces the program without running destructors: finish the trace
// before. If the exec fails, the program goes on unrecorded. No leak scan: the process goes
// on as another program (memcheck does not check leaks at exec either), and a forked child's
// exec would otherwise scan the whole heap it inherited.
HEAPSCOPE_EXPORT int execve(const char* path, char* const argv[], char* const envp[]) noexcept {
    shutdown(ShutdownScan::Skip);
    return next<ExecveFn>("execve")(path, argv, envp);
}

HEAPSCOPE_EXPORT int execv(const char* path, char* const argv[]) noexcept {
    return execve(path, argv, environ);
}

HEAPSCOPE_EXPORT int execvpe(const char* file, char* const argv[], char* const envp[]) noexcept {
    shutdown(ShutdownScan::Skip);
    return next<ExecvpeFn>("execvpe")(file, argv, envp);
}

HEAPSCOPE_EXPORT int execvp(const char* file, char* const argv[]) noexcept {
    return execvpe(file, argv, environ);
}

HEAPSCOPE_EXPORT int fexecve(int fd, char* const argv[], char* const envp[]) noexcept {
    shutdown(ShutdownScan::Skip);
    return next<FexecveFn>("fexecve")(fd, argv, envp);
}

HEAPSCOPE_EXPORT int execl(const char* path, const char* arg0, ...) noexcept {
    char** argv = nullptr;
    va_list ap;
    HEAPSCOPE_COLLECT_ARGS(argv, arg0, ap);
    va_end(ap);
    return execve(path, argv, environ);
}

HEAPSCOPE_EXPORT int execlp(const char* file, const char* arg0, ...) noexcept {
    char** argv = nullptr;
    va_list ap;
    HEAPSCOPE_COLLECT_ARGS(argv, arg0, ap);
    va_end(ap);
    return execvpe(file, argv, environ);
}

HEAPSCOPE_EXPORT int execle(const char* path, const char* arg0, ...) noexcept {
    char** argv = nullptr;
    va_list ap;
    HEAPSCOPE_COLLECT_ARGS(argv, arg0, ap);
    char* const* envp = va_arg(ap, char* const*);
    va_end(ap);
    return execve(path, argv, envp);
}

} // extern "C"
