// recorder: the writer thread: drain, merge, encode and write; RSS sampling; thread names;
// retirement of exited threads' buffers.
#include "recorder/flusher.h"

#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <cstring>

#include "common/clock.h"
#include "recorder/futex.h"
#include "recorder/guard.h"
#include "recorder/log.h"
#include "recorder/own_fds.h"

namespace heapscope::recorder {
namespace {

constexpr std::uint64_t kCycleNs = 10'000'000;
constexpr std::uint64_t kNameCheckNs = 100'000'000;
constexpr std::uint64_t kMaxFlushIntervalMs = 100;
// A frame is closed early once it holds this much raw data, to bound what a kill can lose.
constexpr std::size_t kFrameRawBytes = 1u << 20;

// Reads a small /proc file into buf (NUL-terminated); returns the length or 0.
std::size_t readSmallFile(const char* path, char* buf, std::size_t size) {
    const int fd = ::open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) return 0;
    const ssize_t n = ::read(fd, buf, size - 1);
    ::close(fd);
    const std::size_t len = n > 0 ? static_cast<std::size_t>(n) : 0;
    buf[len] = '\0';
    return len;
}

std::string threadName(std::uint64_t tid) {
    char path[64];
    char name[32];
    const std::string p = "/proc/self/task/" + std::to_string(tid) + "/comm";
    std::memcpy(path, p.c_str(), std::min(p.size() + 1, sizeof(path)));
    std::size_t n = readSmallFile(path, name, sizeof(name));
    if (n > 0 && name[n - 1] == '\n') --n;
    return std::string(name, n);
}

bool threadGone(std::uint64_t tid) {
    return ::syscall(SYS_tgkill, ::getpid(), static_cast<pid_t>(tid), 0) != 0 && errno == ESRCH;
}

} // namespace

Flusher::Flusher(ThreadRegistry& registry, StackTrie& trie, const FlusherSettings& settings)
    : m_registry(registry), m_trie(trie), m_settings(settings) {
    m_settings.flushIntervalMs =
        std::clamp<std::uint64_t>(m_settings.flushIntervalMs, 1, kMaxFlushIntervalMs);
    m_settings.rssIntervalMs = std::max<std::uint64_t>(m_settings.rssIntervalMs, 1);
}

std::uint64_t Flusher::relative(std::uint64_t monotonicNs) const {
    return monotonicNs > m_startNs ? monotonicNs - m_startNs : 0;
}

bool Flusher::open(const std::string& path, const format::TraceHeader& header,
                   std::uint64_t startNs, const LiveStats& inherited) {
    // Opened here rather than by the writer, to be moved out of the program's way first.
    const int fd = adoptOwnFd(::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644));
    if (!m_writer.openFd(fd, header)) {
        logLine("cannot create the trace file, not recording", path.c_str());
        return false;
    }
    m_startNs = startNs;
    m_clock.calibrate();
    m_stats = inherited;
    m_stats.peakBytes = inherited.liveBytes;
    m_lastWrittenNs = m_lastFlushNs = m_lastRssNs = m_lastNamesNs = 0;
    m_modules.refresh(0, m_writer);
    flushFrame();
    return !m_failed;
}

bool Flusher::startThread() {
    // The writer must never take the program's signals: block them all while it is created,
    // it inherits the mask.
    sigset_t all;
    sigset_t previous;
    sigfillset(&all);
    pthread_sigmask(SIG_SETMASK, &all, &previous);
    m_stopRequested.store(false, std::memory_order_relaxed);
    m_running.store(true, std::memory_order_release);
    const int rc = pthread_create(&m_thread, nullptr, &Flusher::threadEntry, this);
    pthread_sigmask(SIG_SETMASK, &previous, nullptr);
    if (rc != 0) {
        m_running.store(false, std::memory_order_release);
        logLine("cannot start the writer thread, not recording");
        return false;
    }
    return true;
}

void* Flusher::threadEntry(void* self) {
    t_inRecorder = true; // for its whole life: it may use malloc and the standard library
    t_recorderThread = true;
    auto* flusher = static_cast<Flusher*>(self);
    flusher->m_writerTid.store(static_cast<pid_t>(::syscall(SYS_gettid)),
                               std::memory_order_release);
    flusher->run();
    flusher->m_writerTid.store(0, std::memory_order_release);
    return nullptr;
}

void Flusher::run() {
    while (!m_stopRequested.load(std::memory_order_acquire)) {
        const std::uint32_t word = m_wakeWord.load(std::memory_order_acquire);
        {
            std::lock_guard<std::mutex> lock(m_cycleMutex);
            cycle(false);
        }
        if (m_failed) break;
        if (m_stopRequested.load(std::memory_order_acquire)) break;
        if (m_settings.onWake != nullptr) m_settings.onWake();
        futexWait(m_wakeWord, word, static_cast<long>(kCycleNs));
    }
    // After a write failure nobody will drain again: threads waiting on a full buffer must
    // stop waiting.
    if (m_failed) m_running.store(false, std::memory_order_release);
}

void Flusher::wake() {
    m_wakeWord.fetch_add(1, std::memory_order_release);
    futexWakeAll(m_wakeWord);
}

void Flusher::noteModulesChanged() {
    m_modulesChanged.store(true, std::memory_order_release);
    wake();
}

void Flusher::stop(FinalWriter final, void* context) {
    if (m_running.load(std::memory_order_acquire)) {
        m_stopRequested.store(true, std::memory_order_release);
        wake();
        pthread_join(m_thread, nullptr);
    }
    std::lock_guard<std::mutex> lock(m_cycleMutex);
    m_running.store(false, std::memory_order_release);
    if (!m_writer.isOpen()) return;
    cycle(true);
    if (final != nullptr) {
        m_lastWrittenNs = std::max(m_lastWrittenNs, relative(monotonicNowNs()));
        final(m_writer, m_lastWrittenNs, context);
    }
    if (const int signal = m_exitSignal.load(std::memory_order_relaxed); signal > 0) {
        m_writer.write(format::ExitStatusRecord{true, signal});
    } else if (const int status = m_exitStatus.load(std::memory_order_relaxed); status >= 0) {
        m_writer.write(format::ExitStatusRecord{false, status});
    }
    m_writer.write(format::EndRecord{std::max(m_lastWrittenNs, relative(monotonicNowNs()))});
    if (!m_writer.close()) logLine("cannot finish writing the trace");
}

void Flusher::writeLeakCheck(format::LeakCheckRecord record) {
    const std::uint64_t now = eventTicks();
    if (!waitForCycleAfter(now)) return;
    std::lock_guard<std::mutex> lock(m_cycleMutex);
    if (m_failed || !m_writer.isOpen()) return;
    m_lastWrittenNs = std::max(m_lastWrittenNs, relative(m_clock.toNs(now)));
    record.timeNs = m_lastWrittenNs;
    m_writer.write(record);
}

pid_t Flusher::writerTid() const {
    const std::uint64_t deadline = monotonicNowNs() + 1'000'000'000;
    for (;;) {
        const pid_t tid = m_writerTid.load(std::memory_order_acquire);
        if (tid != 0 || !running() || monotonicNowNs() > deadline) return tid;
        ::sched_yield();
    }
}

void Flusher::resetPeak() {
    if (!waitForCycleAfter(eventTicks())) return;
    std::lock_guard<std::mutex> lock(m_cycleMutex);
    m_stats.peakBytes = m_stats.liveBytes;
}

void Flusher::cycle(bool final) {
    if (m_failed || !m_writer.isOpen()) return;
    // Threads known to be gone before cycleStart have every event stamped before it.
    for (KnownThread& t : m_threads) {
        if (!t.dead && t.buffer->ended() && threadGone(t.tid)) t.dead = true;
    }
    const std::uint64_t cycleStart = m_clock.calibrate();
    collectBuffers();
    // Nodes are read after the swaps: every node an event uses is published by then.
    writeStackNodes();
    const std::uint64_t now = std::max(m_lastWrittenNs, relative(m_clock.toNs(cycleStart)));
    if (m_modulesChanged.exchange(false, std::memory_order_acq_rel) || m_modules.changed()) {
        m_modules.refresh(m_lastWrittenNs, m_writer);
    }
    emitBefore(final ? ~std::uint64_t{0} : cycleStart);
    // Records below carry the cycle's time; it never goes back behind an event written.
    const std::uint64_t after = std::max(now, m_lastWrittenNs);
    m_lastWrittenNs = after;
    if (final || after - m_lastRssNs >= m_settings.rssIntervalMs * 1'000'000) sampleRss(after);
    if (after - m_lastNamesNs >= kNameCheckNs) checkThreadNames(after);
    retireDeadThreads(after);
    if (final || after - m_lastFlushNs >= m_settings.flushIntervalMs * 1'000'000) flushFrame();
    m_completedCycleStart.store(cycleStart, std::memory_order_release);
}

void Flusher::noteRecording(bool on, std::uint64_t ticks) {
    std::lock_guard<std::mutex> lock(m_notedMutex);
    m_noted.push_back(Noted{ticks, false, on, {}});
}

void Flusher::noteMark(std::string name, std::uint64_t ticks) {
    std::lock_guard<std::mutex> lock(m_notedMutex);
    m_noted.push_back(Noted{ticks, true, false, std::move(name)});
}

void Flusher::emitBefore(std::uint64_t limit) {
    const auto sink = [this](ThreadIndex thread, const Event& e) { writeEvent(thread, e); };
    std::vector<Noted> due;
    {
        std::lock_guard<std::mutex> lock(m_notedMutex);
        // A record noted after the cycle started waits: events before it may not be drained.
        const auto later = std::stable_partition(m_noted.begin(), m_noted.end(),
                                                 [&](const Noted& n) { return n.ticks < limit; });
        due.assign(std::make_move_iterator(m_noted.begin()), std::make_move_iterator(later));
        m_noted.erase(m_noted.begin(), later);
    }
    std::stable_sort(due.begin(), due.end(),
                     [](const Noted& a, const Noted& b) { return a.ticks < b.ticks; });
    for (const Noted& n : due) {
        // An event stamped at the very nanosecond of the note counts as before it.
        m_merger.emitBefore(n.ticks + 1, sink);
        m_lastWrittenNs = std::max(m_lastWrittenNs, relative(m_clock.toNs(n.ticks)));
        if (n.isMark) {
            m_writer.write(format::MarkRecord{ThreadIndex{0}, m_lastWrittenNs, n.name});
        } else {
            m_writer.write(format::RecordingRecord{m_lastWrittenNs, n.on});
        }
    }
    m_merger.emitBefore(limit, sink);
}

void Flusher::collectBuffers() {
    m_registry.forEach([this](ThreadBuffer& buffer) {
        auto it = std::find_if(m_threads.begin(), m_threads.end(),
                               [&](const KnownThread& t) { return t.buffer == &buffer; });
        if (it == m_threads.end()) {
            m_threads.push_back(
                KnownThread{&buffer, buffer.index(), buffer.tid(), buffer.name(), false});
        }
        m_merger.add(buffer.index(), buffer.swap());
    });
}

void Flusher::writeStackNodes() {
    const std::uint32_t published = m_trie.publishedCount();
    for (; m_nextNode <= published; ++m_nextNode)
        m_writer.write(m_trie.node(m_nextNode));
}

void Flusher::writeEvent(ThreadIndex thread, const Event& e) {
    const std::uint64_t time = relative(m_clock.toNs(e.ticks));
    m_lastWrittenNs = std::max(m_lastWrittenNs, time);
    const auto family = static_cast<format::AllocFamily>(e.family);
    switch (e.kind) {
    case EventKind::Alloc:
        m_writer.write(
            format::AllocRecord{thread, time, e.address, e.size, StackId{e.stack}, family});
        m_stats.liveBytes += e.size;
        m_stats.liveBlocks += 1;
        m_stats.totalAllocations += 1;
        m_stats.totalBytes += e.size;
        m_stats.peakBytes = std::max(m_stats.peakBytes, m_stats.liveBytes);
        break;
    case EventKind::Free:
        m_writer.write(format::FreeRecord{thread, time, e.address, family});
        m_stats.liveBytes -= std::min(m_stats.liveBytes, e.size);
        m_stats.liveBlocks -= std::min<std::uint64_t>(m_stats.liveBlocks, 1);
        break;
    case EventKind::ThreadStart: {
        auto it = std::find_if(m_threads.begin(), m_threads.end(),
                               [&](const KnownThread& t) { return t.index == thread; });
        if (it != m_threads.end()) {
            m_writer.write(format::ThreadRecord{thread, time, it->tid, it->name});
        }
        break;
    }
    case EventKind::Mark: {
        char* name = reinterpret_cast<char*>(e.address);
        m_writer.write(format::MarkRecord{thread, time, std::string(name, e.size)});
        std::free(name); // copied by heapscope_mark with the real malloc
        break;
    }
    case EventKind::Error:
        m_error = format::ErrorRecord{.thread = thread,
                                      .timeNs = time,
                                      .kind = static_cast<format::ErrorKind>(e.family),
                                      .address = e.address,
                                      .size = e.size,
                                      .stack = StackId{e.stack},
                                      .allocStack = {}, // from the ErrorDetail that follows
                                      .freeStack = {}};
        m_errorPending = true;
        break;
    case EventKind::ErrorDetail:
        if (!m_errorPending || m_error.thread != thread) break;
        m_error.offset = e.address;
        m_error.allocStack = StackId{e.stack};
        m_error.freeStack = StackId{static_cast<std::uint32_t>(e.size)};
        m_writer.write(m_error);
        m_errorPending = false;
        break;
    }
    if (m_writer.pendingBytes() >= kFrameRawBytes) flushFrame();
}

void Flusher::sampleRss(std::uint64_t timeNs) {
    m_lastRssNs = timeNs;
    char buf[128];
    if (readSmallFile("/proc/self/statm", buf, sizeof(buf)) == 0) return;
    char* end = nullptr;
    std::strtoull(buf, &end, 10); // size, then resident
    const std::uint64_t residentPages = std::strtoull(end, nullptr, 10);
    const auto pageSize = static_cast<std::uint64_t>(::sysconf(_SC_PAGESIZE));
    m_writer.write(format::RssRecord{timeNs, residentPages * pageSize});
}

void Flusher::checkThreadNames(std::uint64_t timeNs) {
    m_lastNamesNs = timeNs;
    for (KnownThread& t : m_threads) {
        if (t.dead) continue;
        std::string name = threadName(t.tid);
        if (name.empty() || name == t.name) continue;
        t.name = std::move(name);
        m_writer.write(format::ThreadRecord{t.index, timeNs, t.tid, t.name});
    }
}

void Flusher::retireDeadThreads(std::uint64_t timeNs) {
    for (const KnownThread& t : m_threads) {
        if (!t.dead) continue;
        m_writer.write(format::ThreadEndRecord{t.index, timeNs});
        m_registry.retire(t.buffer);
    }
    std::erase_if(m_threads, [](const KnownThread& t) { return t.dead; });
}

void Flusher::flushFrame() {
    m_lastFlushNs = m_lastWrittenNs;
    if (m_writer.flush()) return;
    m_failed = true;
    logLine("cannot write the trace, recording stopped");
    if (m_settings.onWriteFailure != nullptr) m_settings.onWriteFailure();
}

bool Flusher::waitForCycleAfter(std::uint64_t ticks) {
    while (running() && !m_failed) {
        if (m_completedCycleStart.load(std::memory_order_acquire) > ticks) return true;
        wake();
        timespec pause{0, 200'000};
        nanosleep(&pause, nullptr);
    }
    return false;
}

LiveStats Flusher::stats() {
    std::lock_guard<std::mutex> lock(m_cycleMutex);
    return m_stats;
}

void Flusher::prepareFork() {
    m_cycleMutex.lock();
    m_notedMutex.lock();
}

void Flusher::parentAfterFork() {
    m_notedMutex.unlock();
    m_cycleMutex.unlock();
}

bool Flusher::childAfterFork(const std::string& path, const format::TraceHeader& header,
                             std::uint64_t startNs, const LiveStats& inherited) {
    m_writer.abandon();
    m_merger.clear();
    m_modules.reset();
    m_threads.clear();
    m_nextNode = 1;
    m_failed = false;
    m_errorPending = false;
    m_noted.clear();
    m_notedMutex.unlock();
    m_running.store(false, std::memory_order_relaxed);
    m_completedCycleStart.store(0, std::memory_order_relaxed);
    const bool opened = open(path, header, startNs, inherited);
    m_cycleMutex.unlock();
    return opened && startThread();
}

} // namespace heapscope::recorder
