// recorder: dlopen with RTLD_DEEPBIND. Such a library binds its calls to its own dependencies
// first, so its malloc and free would go to the C library's, past the hooks, where memcheck still
// sees them. When the open can be made from here without changing its meaning (see
// heapscope_dlopen_deepbind_patchable), it is, and the objects it loaded get their references to
// the hooked functions pointed back at the hooks (rebind.h). The entry is interpose_dlopen.S.
#include <dlfcn.h>
#include <link.h>

#include <cstring>

#include "recorder/guard.h"
#include "recorder/rebind.h"

extern "C" {

// The C library's dlopen, resolved by the recorder's constructor or on the first call.
void* (*heapscope_real_dlopen)(const char*, int) = nullptr;

void* heapscope_resolve_dlopen() {
    if (heapscope_real_dlopen == nullptr) {
        heapscope::recorder::RecorderGuard guard;
        heapscope_real_dlopen =
            reinterpret_cast<void* (*)(const char*, int)>(dlsym(RTLD_NEXT, "dlopen"));
    }
    return reinterpret_cast<void*>(heapscope_real_dlopen);
}

// Whether the open means the same made from the recorder: glibc takes the calling object's
// namespace, and its $ORIGIN and RUNPATH to find a name without a slash. So: a path with a slash
// and no $, from a caller in the base namespace.
bool heapscope_dlopen_deepbind_patchable(const char* file, int, const void* caller) {
    heapscope::recorder::RecorderGuard guard;
    if (heapscope_resolve_dlopen() == nullptr) return false;
    if (file == nullptr || std::strchr(file, '/') == nullptr || std::strchr(file, '$') != nullptr)
        return false;
    Dl_info info;
    link_map* callerMap = nullptr;
    if (dladdr1(caller, &info, reinterpret_cast<void**>(&callerMap), RTLD_DL_LINKMAP) == 0 ||
        callerMap == nullptr)
        return false;
    Lmid_t space = LM_ID_NEWLM;
    return dlinfo(callerMap, RTLD_DI_LMID, &space) == 0 && space == LM_ID_BASE;
}

// Reached by a jump from dlopen: returns to the program.
void* heapscope_dlopen_deepbind(const char* file, int mode) {
    void* handle = heapscope_real_dlopen(file, mode);
    if (handle != nullptr) {
        heapscope::recorder::RecorderGuard guard;
        heapscope::recorder::rebindToHooks(handle);
    }
    return handle;
}

} // extern "C"

namespace {
__attribute__((constructor)) void resolveDlopen() { heapscope_resolve_dlopen(); }
} // namespace
