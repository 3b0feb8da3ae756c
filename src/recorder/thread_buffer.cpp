// recorder: per-thread event buffers (one mmap each: header, two halves, scratch) and the
// thread registry.
#include "recorder/thread_buffer.h"

#include <new>

#include "recorder/futex.h"
#include "recorder/mapped_memory.h"

namespace heapscope::recorder {
namespace {

constexpr std::size_t alignUp(std::size_t n, std::size_t to) { return (n + to - 1) / to * to; }

} // namespace

std::span<const Event> ThreadBuffer::swap() noexcept {
    m_lock.lock();
    Event* filled = m_active;
    const std::uint32_t count = m_count;
    m_active = m_spare;
    m_spare = filled;
    m_count = 0;
    m_lock.unlock();
    // Sequentially consistent with waitForSwap: either the owner sees the new count and does
    // not sleep, or this sees m_waiting and wakes it.
    m_swaps.fetch_add(1);
    if (m_waiting.load()) futexWakeAll(m_swaps);
    return {filled, count};
}

void ThreadBuffer::waitForSwap(std::uint32_t swapsSeen) noexcept {
    constexpr long kMaxSleepNs = 1'000'000; // bounded: a lost wake-up costs at most this
    m_waiting.store(true);
    if (m_swaps.load() == swapsSeen) futexWait(m_swaps, swapsSeen, kMaxSleepNs);
    m_waiting.store(false);
}

void ThreadBuffer::clear() noexcept {
    m_lock.lock();
    m_count = 0;
    m_lock.unlock();
}

bool ThreadBuffer::full() noexcept {
    m_lock.lock();
    const bool isFull = m_count == kCapacity;
    m_lock.unlock();
    return isFull;
}

ThreadBuffer* ThreadRegistry::create(std::uint64_t tid, const char* name,
                                     std::size_t scratchBytes) noexcept {
    const std::size_t header = alignUp(sizeof(ThreadBuffer), 64);
    const std::size_t half = sizeof(Event) * ThreadBuffer::kCapacity;
    const std::size_t bytes = header + 2 * half + alignUp(scratchBytes, 64);
    auto* base = static_cast<char*>(mapZeroed(bytes));
    if (base == nullptr) return nullptr;
    auto* buffer = new (base) ThreadBuffer();
    buffer->m_active = reinterpret_cast<Event*>(base + header);
    buffer->m_spare = reinterpret_cast<Event*>(base + header + half);
    buffer->m_scratch = base + header + 2 * half;
    buffer->m_mappedBytes = bytes;
    buffer->m_tid = tid;
    for (std::size_t i = 0; i + 1 < sizeof(buffer->m_name) && name[i] != '\0'; ++i) {
        buffer->m_name[i] = name[i];
    }
    m_lock.lock();
    buffer->m_index = ThreadIndex{m_nextIndex++};
    buffer->m_next = m_head;
    m_head = buffer;
    m_lock.unlock();
    return buffer;
}

void ThreadRegistry::retire(ThreadBuffer* buffer) noexcept {
    m_lock.lock();
    for (ThreadBuffer** link = &m_head; *link != nullptr; link = &(*link)->m_next) {
        if (*link == buffer) {
            *link = buffer->m_next;
            break;
        }
    }
    m_lock.unlock();
    const std::size_t bytes = buffer->m_mappedBytes;
    buffer->~ThreadBuffer();
    unmap(buffer, bytes);
}

void ThreadRegistry::keepOnly(ThreadBuffer* survivor, std::uint64_t tid) noexcept {
    for (ThreadBuffer* b = m_head; b != nullptr;) {
        ThreadBuffer* next = b->m_next;
        if (b != survivor) {
            const std::size_t bytes = b->m_mappedBytes;
            b->~ThreadBuffer();
            unmap(b, bytes);
        }
        b = next;
    }
    m_head = survivor;
    m_nextIndex = 0;
    if (survivor != nullptr) {
        survivor->m_next = nullptr;
        survivor->m_index = ThreadIndex{m_nextIndex++};
        survivor->m_tid = tid;
        survivor->m_count = 0;
    }
}

} // namespace heapscope::recorder
