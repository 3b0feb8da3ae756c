// bench W2: 8 threads allocating through std::string, std::vector growth and new/delete, a third
// of the objects freed by another thread. The stress case for concurrency in the recorder.
#include <array>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "workload.h"

namespace {

constexpr int kThreads = 8;
constexpr std::uint64_t kAllocationsPerThreadAtScale1 = 2'000'000;
constexpr std::size_t kLiveObjects = 512;
constexpr std::size_t kLiveStrings = 256;
constexpr std::uint64_t kDrainEvery = 64;

struct Object {
    virtual ~Object() = default;
    virtual std::uint64_t digest() const = 0;
};

// Three object sizes, as a program has a few classes allocated often.
template <std::size_t Payload> struct Blob final : Object {
    explicit Blob(std::uint64_t seed) { payload[0] = static_cast<unsigned char>(seed); }
    std::uint64_t digest() const override { return payload[0] + Payload; }
    unsigned char payload[Payload] = {};
};

std::unique_ptr<Object> makeObject(std::uint64_t random) {
    switch (random % 3) {
    case 0:
        return std::make_unique<Blob<40>>(random);
    case 1:
        return std::make_unique<Blob<120>>(random);
    default:
        return std::make_unique<Blob<280>>(random);
    }
}

// Objects sent to a thread wait here until it frees them.
struct Inbox {
    std::mutex mutex;
    std::vector<Object *> objects;
};

std::array<Inbox, kThreads> s_inboxes;

std::uint64_t drain(Inbox &inbox, std::vector<Object *> &spare) {
    {
        std::lock_guard lock(inbox.mutex);
        inbox.objects.swap(spare);
    }
    std::uint64_t sum = 0;
    for (Object *object : spare) {
        sum += object->digest();
        delete object;
    }
    spare.clear();
    return sum;
}

// Each step states how many allocations it makes, so a thread stops at its budget.
std::uint64_t stepString(std::vector<std::string> &strings, std::uint64_t random,
                         std::uint64_t &sum) {
    // Longer than the small-string buffer, so the string owns a heap block.
    std::string text(24 + random % 200, static_cast<char>('a' + random % 26));
    sum += static_cast<unsigned char>(text.back());
    strings[random % kLiveStrings] = std::move(text);
    return 1;
}

std::uint64_t stepVector(std::uint64_t random, std::uint64_t &sum) {
    // Pushing 2^k elements one by one grows the buffer k+1 times (1, 2, 4, ... 2^k).
    const unsigned doublings = static_cast<unsigned>(random % 7);
    std::vector<std::uint32_t> values;
    for (std::uint32_t i = 0; i < (1U << doublings); ++i)
        values.push_back(i ^ static_cast<std::uint32_t>(random));
    sum += values.back();
    return doublings + 1;
}

std::uint64_t stepObject(int self, std::vector<std::unique_ptr<Object>> &objects,
                         std::uint64_t random, std::uint64_t &sum) {
    std::unique_ptr<Object> object = makeObject(random);
    if ((random >> 8) % 3 == 0) {
        Inbox &peer = s_inboxes[(self + 1) % kThreads];
        std::lock_guard lock(peer.mutex);
        peer.objects.push_back(object.release());
        return 1;
    }
    std::unique_ptr<Object> &slot = objects[(random >> 16) % kLiveObjects];
    if (slot)
        sum += slot->digest();
    slot = std::move(object);
    return 1;
}

std::uint64_t runThread(int self, std::uint64_t budget) {
    std::uint64_t state = 1000 + static_cast<std::uint64_t>(self);
    std::vector<std::string> strings(kLiveStrings);
    std::vector<std::unique_ptr<Object>> objects(kLiveObjects);
    std::vector<Object *> spare;
    std::uint64_t sum = 0;
    std::uint64_t made = 0;
    for (std::uint64_t step = 0; made < budget; ++step) {
        const std::uint64_t random = nextRandom(state);
        switch ((random >> 56) % 4) {
        case 0:
            made += stepString(strings, random, sum);
            break;
        case 1:
            made += stepVector(random, sum);
            break;
        default:
            made += stepObject(self, objects, random, sum);
            break;
        }
        if (step % kDrainEvery == 0)
            sum += drain(s_inboxes[self], spare);
    }
    return sum;
}

} // namespace

int main(int argc, char **argv) {
    const double scale = workloadScale(argc, argv, "bench_w2");
    if (!(scale > 0.0)) return 2;
    const auto budget =
        static_cast<std::uint64_t>(static_cast<double>(kAllocationsPerThreadAtScale1) * scale);

    std::array<std::uint64_t, kThreads> sums{};
    std::vector<std::thread> threads;
    for (int i = 0; i < kThreads; ++i)
        threads.emplace_back([i, budget, &sums] { sums[i] = runThread(i, budget); });
    for (std::thread &thread : threads)
        thread.join();

    // Objects sent after their receiver's last drain.
    std::vector<Object *> spare;
    std::uint64_t total = 0;
    for (Inbox &inbox : s_inboxes)
        total += drain(inbox, spare);
    for (std::uint64_t sum : sums)
        total += sum;
    std::printf("w2: %d threads x %llu allocations, checksum %llu\n", kThreads,
                static_cast<unsigned long long>(budget), static_cast<unsigned long long>(total));
    return 0;
}
