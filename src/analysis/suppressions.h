// analysis: leak suppressions in Valgrind's format (the `{ name / Memcheck:Leak / ... }` blocks
// users already keep), their matching against symbolized stacks, and moving the loss records
// they match to "suppressed". Also the leak-kind lists memcheck's options share.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "analysis/model.h"
#include "analysis/symbolizer.h"

namespace heapscope::analysis {

// A set of leak kinds written as memcheck writes them in --show-leak-kinds,
// --errors-for-leak-kinds and match-leak-kinds: "definite,indirect,possible,reachable" (any
// subset, comma-separated), "all" or "none".
class LeakKindSet {
public:
    static LeakKindSet all() { return LeakKindSet(0xf); }
    static LeakKindSet none() { return LeakKindSet(0); }
    static std::optional<LeakKindSet> parse(std::string_view text);

    bool contains(format::LeakKind kind) const { return (m_bits & bit(kind)) != 0; }
    bool empty() const { return m_bits == 0; }
    void add(format::LeakKind kind) { m_bits |= bit(kind); }

private:
    explicit LeakKindSet(unsigned bits) : m_bits(bits) {}
    static unsigned bit(format::LeakKind kind) { return 1u << static_cast<unsigned>(kind); }
    unsigned m_bits;
};

// "definite", "indirect", "possible", "reachable": the word memcheck uses for a kind.
std::string_view leakKindWord(format::LeakKind kind);

struct FramePattern {
    enum class Type { Function, Object, Source, Ellipsis };
    Type type = Type::Ellipsis;
    std::string pattern;                  // with * and ? wildcards
    std::optional<std::string> demangled; // a mangled fun: name without wildcards, demangled
    std::optional<std::uint32_t> line;    // src:FILE:LINE
};

struct Suppression {
    std::string name;
    std::string file;
    std::size_t line = 0; // of the opening '{'
    LeakKindSet kinds = LeakKindSet::all();
    std::vector<FramePattern> frames; // innermost first
};

// A suppression file that cannot be read or is malformed; what() is "FILE:LINE: reason".
class SuppressionError : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

// The Memcheck:Leak entries of a suppression file. Entries for other tools or other kinds of
// error (Memcheck:Cond, Helgrind:Race, ...) are read and skipped. fileName is for messages.
std::vector<Suppression> parseSuppressions(std::string_view text, const std::string& fileName);
std::vector<Suppression> loadSuppressions(const std::string& path);

// Valgrind's wildcards: '*' any run of characters, '?' any one character.
bool globMatch(std::string_view pattern, std::string_view text);

// Whether a loss record of `kind` allocated at `frames` (innermost first, the caller of the
// allocation function first, as heapscope records stacks) is suppressed. Memcheck's stacks
// start with the allocation function itself (fun:malloc, fun:_Znwm), so a pattern may begin
// with it or leave it out.
bool suppresses(const Suppression& suppression, format::LeakKind kind,
                const std::vector<Frame>& frames);

using FrameSource = std::function<std::vector<Frame>(StackId)>;

// How much each suppression took, indexed like the suppressions.
struct SuppressionUse {
    std::uint64_t records = 0;
    ByteCount leaked;
};

// Moves the loss records a suppression matches out of model.lossRecords, and their bytes and
// blocks from their kind to summary.leaks.suppressed (the first matching suppression counts).
std::vector<SuppressionUse> applySuppressions(Model& model,
                                              const std::vector<Suppression>& suppressions,
                                              const FrameSource& frames);

} // namespace heapscope::analysis
