// recorder: the fast unwinder's walk over the calling thread's stack and its per-thread table of
// frame rules. Hand-written because libunwind's unw_backtrace (per-thread cache on) was ~69% of
// the recorder's cost per allocation under callgrind; here a cached rule costs one table probe
// and two loads per frame: bench/unwind 650 vs 870-970 ns for 25 frames, and W1's CPU time under
// the recorder 10-20% lower (measured on a loaded 2-core machine, both backends side by side).
// Where a walk meets the thread's previous walk, it follows that walk's trail (see Trail): 20
// frames cost about half of the table walk, and W1's CPU time under the recorder was ~15% lower.
#include "recorder/unwind_walk.h"

#include <pthread.h>

#include <algorithm>
#include <atomic>
#include <iterator>

#include "recorder/mapped_memory.h"
#include "recorder/unwind_cfa.h"

// glibc's record of the stack pointer at process entry (exported by ld.so since 2.2.5).
extern "C" void* __libc_stack_end;

namespace heapscope::recorder {
namespace {

// 4096 slots of 16 bytes: 64 KiB per thread, far more return addresses than a program's hot
// stacks hold; a full probe window evicts, which only costs a later re-derivation.
constexpr unsigned kSlotBits = 12;
constexpr std::size_t kSlotCount = std::size_t{1} << kSlotBits;
constexpr std::size_t kProbeLimit = 8;

struct Slot {
    std::uintptr_t returnAddress;
    FrameRule rule;
};

// What mmap's zeroes read as.
constexpr Slot kEmptySlot{0, FrameRule{0, 0, CfaBase::Rsp, FrameRuleKind::Empty}};

// The frames of one walk in order: where each stood (its CFA, and rbp where its rule reads it),
// its return address and that address's rule. Consecutive walks of a thread mostly share their
// outer frames at the same places: once a walk meets a frame of the previous walk's trail (same
// CFA, same return address, same rbp if the rule uses it) it is in the same state as that walk
// was there, so the next frame's CFA is the trail's next, and only its return address (and a
// saved rbp) need loading and comparing: no rule look-up, no checks, no chain of dependent loads.
constexpr std::size_t kTrailFrames = 128;

struct TrailFrame {
    std::uintptr_t cfa;
    std::uintptr_t returnAddress;
    std::uintptr_t rbp;
    FrameRule rule;
};

struct Trail {
    std::size_t count;
    TrailFrame frames[kTrailFrames];
};

struct ThreadRules {
    std::uint64_t generation;
    std::size_t previous; // the index of the trail of the last walk; the other one is written
    Trail trails[2];
    Slot slots[kSlotCount];
};

// Bumped by dropFrameRules; a table of an older generation is cleared before use.
std::atomic<std::uint64_t> s_generation{0};

thread_local ThreadRules* t_rules = nullptr;
// Set once the thread's table is released at thread exit (or could not be made): later walks
// of this thread go to the full unwinder instead of mapping a table nobody would unmap.
thread_local bool t_noRules = false;

void releaseRules(void* rules) {
    t_rules = nullptr;
    t_noRules = true;
    unmap(rules, sizeof(ThreadRules));
}

struct RulesKey {
    pthread_key_t key{};
    bool valid = pthread_key_create(&key, &releaseRules) == 0;
};

const RulesKey& rulesKey() noexcept {
    static const RulesKey s_key;
    return s_key;
}

// The end of the calling thread's stack, from what glibc keeps without a lock (pthread_getattr_np
// takes the thread's lock and may call malloc under it: a program calling it would deadlock in
// the hook): a thread's stack lies below its descriptor (glibc puts the descriptor and the
// static TLS at the top of the stack block), the main thread's below __libc_stack_end (the stack
// pointer at process entry). The nearest of the two above sp is the thread's; 0 if neither is.
std::uintptr_t stackEnd(std::uintptr_t sp) noexcept {
    const auto descriptor = static_cast<std::uintptr_t>(pthread_self());
    const auto entry = reinterpret_cast<std::uintptr_t>(__libc_stack_end);
    std::uintptr_t end = 0;
    if (descriptor > sp) end = descriptor;
    if (entry > sp && (end == 0 || entry < end)) end = entry;
    return end;
}

ThreadRules* threadRules() noexcept {
    if (t_rules != nullptr || t_noRules) return t_rules;
    t_noRules = true; // until the table is complete
    auto* rules = static_cast<ThreadRules*>(mapZeroed(sizeof(ThreadRules)));
    if (rules == nullptr) return nullptr;
    const RulesKey& key = rulesKey();
    if (!key.valid || pthread_setspecific(key.key, rules) != 0) {
        unmap(rules, sizeof(ThreadRules));
        return nullptr;
    }
    rules->generation = s_generation.load(std::memory_order_acquire);
    t_noRules = false;
    t_rules = rules;
    return rules;
}

FrameRule ruleFor(ThreadRules& rules, std::uintptr_t returnAddress) noexcept {
    const std::size_t home =
        static_cast<std::size_t>((returnAddress * 0x9e3779b97f4a7c15ULL) >> (64 - kSlotBits));
    for (std::size_t probe = 0; probe < kProbeLimit; ++probe) {
        Slot& slot = rules.slots[(home + probe) & (kSlotCount - 1)];
        if (slot.rule.kind == FrameRuleKind::Empty) {
            slot = Slot{returnAddress, deriveFrameRule(returnAddress - 1)};
            return slot.rule;
        }
        if (slot.returnAddress == returnAddress) return slot.rule;
    }
    Slot& victim = rules.slots[home];
    victim = Slot{returnAddress, deriveFrameRule(returnAddress - 1)};
    return victim.rule;
}

// A slot of another frame (a return address, a saved rbp), never a variable: nothing for
// AddressSanitizer to check when the tests build these sources with it.
__attribute__((no_sanitize("address"))) std::uintptr_t loadWord(std::uintptr_t address) noexcept {
    return *reinterpret_cast<const std::uintptr_t*>(address);
}

// Walks on along the previous trail from its frame `match`, whose state (cfa, returnAddress)
// the walk is in, while the state stays the trail's: each frame's rule and the next CFA come
// from the trail, where the previous walk derived and checked them from the same state, so
// the loads stay where that walk's did. Stops in a state the caller walks by the rule table:
// a frame the trail does not continue, a rule other than a plain walk, an rbp-based CFA whose
// rbp differs, or a return address that differs from the trail's.
void followTrail(const Trail& previous, std::size_t& match, std::uintptr_t* out, std::size_t& depth,
                 std::size_t max, std::uintptr_t& cfa, std::uintptr_t& rbp,
                 std::uintptr_t& returnAddress) noexcept {
    while (depth < max && match + 1 < previous.count) {
        const TrailFrame& frame = previous.frames[match];
        const FrameRule rule = frame.rule;
        if (rule.kind != FrameRuleKind::Walk) return;
        if (rule.base == CfaBase::Rbp && rbp != frame.rbp) return;
        const std::uintptr_t next = previous.frames[match + 1].cfa;
        out[depth++] = returnAddress;
        if (rule.rbpOffset != 0) {
            rbp = loadWord(next +
                           static_cast<std::uintptr_t>(static_cast<std::intptr_t>(rule.rbpOffset)));
        }
        returnAddress = loadWord(next - sizeof(std::uintptr_t));
        cfa = next;
        ++match;
        if (returnAddress != previous.frames[match].returnAddress) return;
    }
}

// The frames taken from the previous trail join the new one as they were: their CFAs, return
// addresses and rules are this walk's, and their rbp is only read where the rule uses it, which
// followTrail checked equal.
void copyTrail(const Trail& previous, std::size_t from, Trail& trail, std::size_t at,
               std::size_t count, std::size_t recordable) noexcept {
    if (at >= recordable) return;
    const std::size_t n = std::min(count, recordable - at);
    std::copy(previous.frames + from, previous.frames + from + n, trail.frames + at);
}

} // namespace

// noinline with __builtin_frame_address(0): the compiler gives this function a frame record
// (saved rbp, return address) whatever the optimisation flags, which is where the walk starts
// without an entry frame.
__attribute__((noinline)) int walkStackFrom(const void* entryFrame, std::uintptr_t* out,
                                            std::size_t max) noexcept {
    ThreadRules* rules = threadRules();
    if (rules == nullptr) return -1;
    const std::uint64_t generation = s_generation.load(std::memory_order_acquire);
    if (rules->generation != generation) {
        std::fill(std::begin(rules->slots), std::end(rules->slots), kEmptySlot);
        rules->trails[0].count = 0;
        rules->trails[1].count = 0;
        rules->generation = generation;
    }
    const Trail& previous = rules->trails[rules->previous];
    Trail& trail = rules->trails[rules->previous ^ 1];
    const std::size_t recordable = std::min(max, kTrailFrames);
    const auto* record = static_cast<const std::uintptr_t*>(__builtin_frame_address(0));
    constexpr std::uintptr_t kRecordBytes = 2 * sizeof(std::uintptr_t);
    // Every load of the walk lies in [cfa, stackHigh): above this frame, below the stack's end.
    const std::uintptr_t stackHigh =
        stackEnd(reinterpret_cast<std::uintptr_t>(record) + kRecordBytes);
    if (stackHigh == 0) return -1;
    // Starting at the hook's frame skips the recorder's own frames, which differ between an
    // allocation and a free and so were often walked by rule, not along the trail: W3-sqlite's
    // rule look-ups went from 6.1 to 4.3 per walk, and its CPU time under the recorder from
    // 3.21 s to 2.99 s (medians of 3 interleaved `perf stat -r 5`; native 1.16 s).
    const auto entry = reinterpret_cast<std::uintptr_t>(entryFrame);
    if (entry > reinterpret_cast<std::uintptr_t>(record) && entry % sizeof(std::uintptr_t) == 0 &&
        entry + kRecordBytes <= stackHigh) {
        record = static_cast<const std::uintptr_t*>(entryFrame);
    }
    std::uintptr_t cfa = reinterpret_cast<std::uintptr_t>(record) + kRecordBytes;
    std::uintptr_t rbp = record[0];
    std::uintptr_t returnAddress = record[1];
    std::size_t depth = 0;
    std::size_t match = 0; // the first frame of the previous trail not below cfa
    bool handOver = false; // to the full unwinder
    while (depth < max) {
        while (match < previous.count && previous.frames[match].cfa < cfa)
            ++match;
        if (match < previous.count && previous.frames[match].cfa == cfa &&
            previous.frames[match].returnAddress == returnAddress) {
            const std::size_t from = match;
            const std::size_t at = depth;
            followTrail(previous, match, out, depth, max, cfa, rbp, returnAddress);
            copyTrail(previous, from, trail, at, depth - at, recordable);
            if (depth == max) break;
        }
        // The frame at (cfa, returnAddress) is walked by its rule.
        const FrameRule rule = ruleFor(*rules, returnAddress);
        if (depth < recordable) trail.frames[depth] = TrailFrame{cfa, returnAddress, rbp, rule};
        out[depth++] = returnAddress;
        if (rule.kind == FrameRuleKind::Outermost) break;
        handOver = true; // until this frame is walked
        if (rule.kind != FrameRuleKind::Walk) break;
        // The caller's frame lies above its callee's and inside the stack; else the rule or the
        // stack is not what it seems, and the full unwinder decides.
        const std::uintptr_t next =
            (rule.base == CfaBase::Rsp ? cfa : rbp) + static_cast<std::uintptr_t>(rule.cfaOffset);
        if (next <= cfa || next > stackHigh || next % sizeof(std::uintptr_t) != 0) break;
        if (rule.rbpOffset != 0) {
            const std::uintptr_t saved =
                next + static_cast<std::uintptr_t>(static_cast<std::intptr_t>(rule.rbpOffset));
            if (saved < cfa) break;
            rbp = loadWord(saved);
        }
        returnAddress = loadWord(next - sizeof(std::uintptr_t));
        cfa = next;
        handOver = false;
    }
    // Even a walk handed over to libunwind leaves a trail: each frame in it was walked (or its
    // rule found) as recorded, whatever became of the walk after it.
    trail.count = std::min(depth, recordable);
    rules->previous ^= 1;
    return handOver ? -1 : static_cast<int>(depth);
}

__attribute__((noinline)) int walkStack(std::uintptr_t* out, std::size_t max) noexcept {
    const int depth = walkStackFrom(__builtin_frame_address(0), out, max);
    asm volatile("" ::: "memory"); // not a tail call: the walk starts at this frame's record
    return depth;
}

void dropFrameRules() noexcept { s_generation.fetch_add(1, std::memory_order_release); }

} // namespace heapscope::recorder
