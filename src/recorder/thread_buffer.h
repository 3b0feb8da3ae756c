// recorder: per-thread event buffers and the registry of threads. A thread appends under its
// own spinlock, which only the writer thread ever contends for (to swap the double buffer).
#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <span>

#include "common/ids.h"
#include "recorder/event.h"
#include "recorder/spinlock.h"

namespace heapscope::recorder {

class ThreadBuffer {
public:
    static constexpr std::uint32_t kCapacity = 16384; // events per half of the double buffer
    // At this fill level the writer is woken, so it swaps before the thread has to wait.
    static constexpr std::uint32_t kWakeLevel = kCapacity / 2;

    struct Drain {
        // Asks the writer thread for a swap soon.
        void (*wake)();
        // Called when the buffer is full, before sleeping until the next swap: wakes the writer.
        // Returns false when no writer will ever drain (recording stopped); the event is then
        // dropped.
        bool (*wait)();
    };

    // Appends one event. fill(Event&) runs under the lock and must read the clock there: that
    // is what lets the writer merge all threads into one exact time order.
    template <typename Fill>
    bool append(Fill&& fill, const Drain& drain) noexcept {
        return appendEvents<1>([&](Event* events) { fill(events[0]); }, drain);
    }

    // Appends Count consecutive events at once: fill(Event*) fills them, and the writer never
    // sees some of them without the others.
    template <std::uint32_t Count, typename Fill>
    bool appendEvents(Fill&& fill, const Drain& drain) noexcept {
        static_assert(Count >= 1 && Count <= kCapacity);
        for (;;) {
            m_lock.lock();
            if (m_count + Count <= kCapacity) {
                fill(m_active + m_count);
                const bool wake = m_count < kWakeLevel && m_count + Count >= kWakeLevel;
                m_count = m_count + Count;
                m_lock.unlock();
                if (wake) drain.wake();
                return true;
            }
            const std::uint32_t swapsSeen = m_swaps.load();
            m_lock.unlock();
            if (!drain.wait()) return false;
            waitForSwap(swapsSeen);
        }
    }

    // Writer side: swaps the halves and returns the events appended since the last swap. They
    // stay valid until the next swap.
    std::span<const Event> swap() noexcept;
    // Drops every pending event (a forked child discarding what its parent will write).
    void clear() noexcept;
    bool full() noexcept;

    ThreadIndex index() const noexcept { return m_index; }
    std::uint64_t tid() const noexcept { return m_tid; }
    const char* name() const noexcept { return m_name; }
    // Set by the thread-exit destructor; the writer retires the buffer once the thread is gone.
    void markEnded() noexcept { m_ended.store(true, std::memory_order_release); }
    bool ended() const noexcept { return m_ended.load(std::memory_order_acquire); }
    // Per-thread scratch memory for the tracker (unwind array, stack cache), mapped with the
    // buffer and released with it.
    void* scratch() noexcept { return m_scratch; }

private:
    friend class ThreadRegistry;
    ThreadBuffer() = default;
    // Sleeps (futex, bounded) until the writer swapped after swapsSeen, instead of spinning.
    void waitForSwap(std::uint32_t swapsSeen) noexcept;

    Spinlock m_lock;
    Event* m_active = nullptr;
    Event* m_spare = nullptr;
    std::uint32_t m_count = 0;
    std::atomic<std::uint32_t> m_swaps{0}; // futex word: bumped by every swap
    std::atomic<bool> m_waiting{false};    // the owner sleeps on m_swaps
    ThreadIndex m_index;
    std::uint64_t m_tid = 0;
    char m_name[16] = {};
    std::atomic<bool> m_ended{false};
    void* m_scratch = nullptr;
    std::size_t m_mappedBytes = 0;
    ThreadBuffer* m_next = nullptr;
};

// The list of every thread's buffer. Registration takes a lock; it happens once per thread.
class ThreadRegistry {
public:
    constexpr ThreadRegistry() = default;

    // Maps a buffer with scratchBytes of scratch, assigns the next thread index and links it.
    // nullptr if mmap failed.
    ThreadBuffer* create(std::uint64_t tid, const char* name, std::size_t scratchBytes) noexcept;
    // Unlinks and unmaps a buffer whose thread has exited.
    void retire(ThreadBuffer* buffer) noexcept;

    // Visits every registered buffer under the registry lock. fn must not register or retire.
    template <typename Fn>
    void forEach(Fn&& fn) noexcept {
        m_lock.lock();
        for (ThreadBuffer* b = m_head; b != nullptr; b = b->m_next) fn(*b);
        m_lock.unlock();
    }

    // In a forked child: every buffer but survivor belongs to a thread that does not exist
    // here. They are unmapped, and survivor (may be null) becomes thread 0 with no events.
    void keepOnly(ThreadBuffer* survivor, std::uint64_t tid) noexcept;

    void lock() noexcept { m_lock.lock(); }
    void unlock() noexcept { m_lock.unlock(); }

private:
    Spinlock m_lock;
    ThreadBuffer* m_head = nullptr;
    std::uint32_t m_nextIndex = 0;
};

} // namespace heapscope::recorder
