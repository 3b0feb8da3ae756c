// format: BatchPrefetcher: a producer thread and a bounded ring of record batches. Batches are
// swapped in and out, never copied, so their records keep their capacity.
#include "format/batch_prefetcher.h"

#include <utility>

namespace heapscope::format {

BatchPrefetcher::BatchPrefetcher(FrameStream& stream)
    : m_stream(stream), m_thread([this] { run(); }) {}

BatchPrefetcher::~BatchPrefetcher() {
    {
        const std::lock_guard lock(m_mutex);
        m_stop = true;
    }
    m_drained.notify_one();
    m_thread.join();
}

void BatchPrefetcher::run() {
    RecordBatch work;
    for (;;) {
        // The slow part, outside the lock.
        m_stream.fill(work);
        const bool final = work.final;
        {
            std::unique_lock lock(m_mutex);
            m_drained.wait(lock, [this] { return m_count < kDepth || m_stop; });
            if (m_stop) return;
            std::swap(m_ring[(m_head + m_count) % kDepth], work);
            ++m_count;
        }
        m_filled.notify_one();
        if (final) return;
    }
}

void BatchPrefetcher::take(RecordBatch& batch) {
    {
        std::unique_lock lock(m_mutex);
        m_filled.wait(lock, [this] { return m_count > 0; });
        std::swap(m_ring[m_head], batch);
        m_head = (m_head + 1) % kDepth;
        --m_count;
    }
    m_drained.notify_one();
}

} // namespace heapscope::format
