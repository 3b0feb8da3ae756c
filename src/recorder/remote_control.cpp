// recorder: parsing and answering `heapscope ctl` requests. A leak check stops every other
// thread and waits for the writer to write its record, so it runs on a short-lived thread of
// its own, never on the writer thread.
#include "recorder/remote_control.h"

#include <pthread.h>
#include <signal.h>

#include <array>
#include <cstdio>
#include <cstring>
#include <new>

#include "recorder/control_endpoint.h"
#include "recorder/guard.h"
#include "recorder/log.h"
#include "recorder/tracker.h"

namespace heapscope::recorder {
namespace {

constinit ControlEndpoint s_endpoint;

void replyLeakTotals(const ControlRequest& request,
                     const std::array<format::LeakTotal, format::kLeakKindCount>& totals) {
    using format::LeakKind;
    const auto total = [&](LeakKind kind) { return totals[static_cast<std::size_t>(kind)]; };
    char text[256];
    std::snprintf(text, sizeof(text),
                  "ok definitely_lost=%llu/%llu indirectly_lost=%llu/%llu possibly_lost=%llu/%llu "
                  "still_reachable=%llu/%llu",
                  static_cast<unsigned long long>(total(LeakKind::DefinitelyLost).bytes),
                  static_cast<unsigned long long>(total(LeakKind::DefinitelyLost).blocks),
                  static_cast<unsigned long long>(total(LeakKind::IndirectlyLost).bytes),
                  static_cast<unsigned long long>(total(LeakKind::IndirectlyLost).blocks),
                  static_cast<unsigned long long>(total(LeakKind::PossiblyLost).bytes),
                  static_cast<unsigned long long>(total(LeakKind::PossiblyLost).blocks),
                  static_cast<unsigned long long>(total(LeakKind::StillReachable).bytes),
                  static_cast<unsigned long long>(total(LeakKind::StillReachable).blocks));
    s_endpoint.reply(request, text);
}

void* leakCheckThread(void* arg) {
    t_inRecorder = true; // for its whole life, as the writer thread
    t_recorderThread = true;
    auto* request = static_cast<ControlRequest*>(arg);
    // This thread's stack holds nothing of the program's: its own roots are only its TLS.
    CallerRoots caller;
    captureCaller(caller);
    std::array<format::LeakTotal, format::kLeakKindCount> totals{};
    if (leakCheckFromRecorderThread(totals, caller)) {
        replyLeakTotals(*request, totals);
    } else {
        s_endpoint.reply(*request, "error the leak scan could not be made");
    }
    delete request;
    return nullptr;
}

void startLeakCheck(const ControlRequest& request) {
    auto* copy = new (std::nothrow) ControlRequest(request);
    if (copy == nullptr) {
        s_endpoint.reply(request, "error out of memory");
        return;
    }
    pthread_attr_t attributes;
    pthread_attr_init(&attributes);
    pthread_attr_setdetachstate(&attributes, PTHREAD_CREATE_DETACHED);
    // Created from the writer thread, it inherits its mask: no signal of the program's lands on it.
    pthread_t thread;
    const int rc = pthread_create(&thread, &attributes, &leakCheckThread, copy);
    pthread_attr_destroy(&attributes);
    if (rc != 0) {
        delete copy;
        s_endpoint.reply(request, "error cannot start the leak scan's thread");
    }
}

void handle(const ControlRequest& request) {
    const char* text = request.text;
    const bool stop = std::strcmp(text, "stop") == 0;
    if (stop || std::strcmp(text, "start") == 0) {
        s_endpoint.reply(request, setPaused(stop) ? "ok" : "error not recording");
    } else if (std::strncmp(text, "mark ", 5) == 0 && text[5] != '\0') {
        recordOutsideMark(text + 5);
        s_endpoint.reply(request, "ok");
    } else if (std::strcmp(text, "leak-check") == 0) {
        startLeakCheck(request);
    } else {
        s_endpoint.reply(request, "error unknown request");
    }
}

} // namespace

void openRemoteControl(pid_t pid) noexcept {
    if (!s_endpoint.open(pid))
        logLine("cannot open the control socket; heapscope ctl will not work");
}

void closeRemoteControl() noexcept { s_endpoint.close(); }

void pollRemoteControl() noexcept {
    ControlRequest request;
    while (s_endpoint.receive(request))
        handle(request);
}

} // namespace heapscope::recorder
