// format: BatchPrefetcher runs a FrameStream on a second thread, so reading, decompressing and
// decoding the next frames overlap with the caller's work on the current one.
#pragma once

#include <array>
#include <condition_variable>
#include <cstddef>
#include <mutex>
#include <thread>

#include "format/frame_stream.h"

namespace heapscope::format {

class BatchPrefetcher {
public:
    // Starts filling batches from stream, which nothing else may touch until this is destroyed.
    explicit BatchPrefetcher(FrameStream& stream);
    // Stops the thread, dropping batches not taken.
    ~BatchPrefetcher();
    BatchPrefetcher(const BatchPrefetcher&) = delete;
    BatchPrefetcher& operator=(const BatchPrefetcher&) = delete;

    // Swaps the next filled batch into batch (whose old records go back for reuse), waiting for
    // it if needed. Not to be called again after a final batch.
    void take(RecordBatch& batch);

private:
    // Deep enough for the consumer never to wait while the thread keeps up; shallow enough to
    // keep memory small (a batch is kMaxRecords records of ~100 bytes).
    static constexpr std::size_t kDepth = 4;

    void run();

    FrameStream& m_stream;
    std::mutex m_mutex;
    std::condition_variable m_filled;  // a batch is ready, guarded by m_mutex
    std::condition_variable m_drained; // a slot is free or m_stop, guarded by m_mutex
    std::array<RecordBatch, kDepth> m_ring;
    std::size_t m_head = 0;  // oldest filled batch
    std::size_t m_count = 0; // filled batches
    bool m_stop = false;
    std::thread m_thread; // last: starts once the members above exist
};

} // namespace heapscope::format
