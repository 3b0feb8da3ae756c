// analysis: Valgrind-format leak suppressions: parser, matcher, and their application to a Model.
#include "analysis/suppressions.h"

#include <algorithm>
#include <charconv>
#include <fstream>
#include <span>
#include <sstream>

#include <fmt/format.h>

namespace heapscope::analysis {
namespace {

using format::LeakKind;

constexpr std::string_view kKindWords[] = {"reachable", "possible", "indirect", "definite"};

// The names memcheck's stacks show for the allocation function itself, mangled (as its
// --gen-suppressions writes them) and demangled.
constexpr std::string_view kAllocatorNames[] = {
    "malloc",
    "calloc",
    "realloc",
    "reallocarray",
    "memalign",
    "posix_memalign",
    "aligned_alloc",
    "valloc",
    "pvalloc",
    "_Znwm",
    "_Znam",
    "_ZnwmRKSt9nothrow_t",
    "_ZnamRKSt9nothrow_t",
    "_ZnwmSt11align_val_t",
    "_ZnamSt11align_val_t",
    "_ZnwmSt11align_val_tRKSt9nothrow_t",
    "_ZnamSt11align_val_tRKSt9nothrow_t",
    "operator new(unsigned long)",
    "operator new[](unsigned long)",
    "operator new(unsigned long, std::nothrow_t const&)",
    "operator new[](unsigned long, std::nothrow_t const&)",
    "operator new(unsigned long, std::align_val_t)",
    "operator new[](unsigned long, std::align_val_t)",
    "operator new(unsigned long, std::align_val_t, std::nothrow_t const&)",
    "operator new[](unsigned long, std::align_val_t, std::nothrow_t const&)",
};
// Where memcheck's allocation functions live, and ours.
constexpr std::string_view kAllocatorObjects[] = {
    "/usr/libexec/valgrind/vgpreload_memcheck-amd64-linux.so",
    "/usr/lib/x86_64-linux-gnu/valgrind/vgpreload_memcheck-amd64-linux.so",
    "libheapscope.so",
};
// What valgrind prints for a name it does not know; `fun:*` matches it.
constexpr std::string_view kUnknown = "???";

std::string_view trim(std::string_view text) {
    const auto first = text.find_first_not_of(" \t\r");
    if (first == std::string_view::npos) return {};
    const auto last = text.find_last_not_of(" \t\r");
    return text.substr(first, last - first + 1);
}

bool hasWildcard(std::string_view pattern) {
    return pattern.find_first_of("*?") != std::string_view::npos;
}

// Reads a file line by line, skipping blank lines and '#' comments as valgrind does.
class LineReader {
public:
    LineReader(std::string_view text, const std::string& file) : m_text(text), m_file(file) {}

    std::optional<std::string_view> next() {
        while (m_pos < m_text.size()) {
            const auto end = std::min(m_text.find('\n', m_pos), m_text.size());
            const std::string_view line = trim(m_text.substr(m_pos, end - m_pos));
            m_pos = end + 1;
            ++m_line;
            if (!line.empty() && line.front() != '#') return line;
        }
        return std::nullopt;
    }
    // The next line, which a suppression must have.
    std::string_view require(std::string_view what) {
        const auto line = next();
        if (!line) fail(fmt::format("the file ends inside a suppression, {} expected", what));
        return *line;
    }
    [[noreturn]] void fail(const std::string& reason) const {
        throw SuppressionError(fmt::format("{}:{}: {}", m_file, m_line, reason));
    }
    std::size_t line() const { return m_line; }

private:
    std::string_view m_text;
    const std::string& m_file;
    std::size_t m_pos = 0;
    std::size_t m_line = 0;
};

FramePattern parseFrame(LineReader& in, std::string_view line) {
    FramePattern frame;
    if (line == "...") return frame;
    const auto colon = line.find(':');
    const std::string_view type = line.substr(0, colon);
    if (colon == std::string_view::npos || (type != "fun" && type != "obj" && type != "src"))
        in.fail(fmt::format("expected fun:, obj:, src: or '...', not '{}'", line));
    std::string_view pattern = line.substr(colon + 1);
    if (pattern.empty()) in.fail(fmt::format("'{}' names nothing", line));
    if (type == "fun") {
        frame.type = FramePattern::Type::Function;
        // Memcheck matches mangled names; heapscope's frames carry demangled ones.
        if ((pattern.starts_with("_Z") || pattern.starts_with("_R")) && !hasWildcard(pattern)) {
            std::string demangled = demangle(std::string(pattern));
            if (demangled != pattern) frame.demangled = std::move(demangled);
        }
    } else if (type == "obj") {
        frame.type = FramePattern::Type::Object;
    } else {
        frame.type = FramePattern::Type::Source;
        // src:FILE or src:FILE:LINE
        if (const auto lineColon = pattern.rfind(':'); lineColon != std::string_view::npos) {
            const std::string_view number = pattern.substr(lineColon + 1);
            std::uint32_t value = 0;
            const auto [ptr, ec] =
                std::from_chars(number.data(), number.data() + number.size(), value);
            if (ec != std::errc() || ptr != number.data() + number.size())
                in.fail(fmt::format("'{}': the line number is not a number", line));
            frame.line = value;
            pattern = pattern.substr(0, lineColon);
        }
    }
    frame.pattern = std::string(pattern);
    return frame;
}

// The lines between the kind line and '}' of a Memcheck:Leak entry.
void parseLeakBody(LineReader& in, Suppression& s) {
    bool first = true;
    for (std::string_view line = in.require("'}'"); line != "}"; line = in.require("'}'")) {
        if (line == "{") in.fail("'{' inside a suppression (a '}' is missing)");
        constexpr std::string_view kMatchKinds = "match-leak-kinds:";
        if (first && line.starts_with(kMatchKinds)) {
            const std::string_view list = trim(line.substr(kMatchKinds.size()));
            const auto kinds = LeakKindSet::parse(list);
            if (!kinds) in.fail(fmt::format("match-leak-kinds: unknown kind list '{}'", list));
            s.kinds = *kinds;
        } else {
            s.frames.push_back(parseFrame(in, line));
        }
        first = false;
    }
    if (s.frames.empty()) in.fail("a suppression needs at least one fun:, obj: or src: line");
}

bool listHas(std::string_view list, std::string_view word) {
    while (!list.empty()) {
        const auto comma = std::min(list.find(','), list.size());
        if (trim(list.substr(0, comma)) == word) return true;
        list.remove_prefix(std::min(comma + 1, list.size()));
    }
    return false;
}

bool anyMatches(std::string_view pattern, std::span<const std::string_view> names) {
    for (const auto name : names) {
        if (globMatch(pattern, name)) return true;
    }
    return false;
}

// The pseudo-frame of the allocation function memcheck's stacks begin with.
bool matchesAllocator(const FramePattern& p) {
    switch (p.type) {
    case FramePattern::Type::Function:
        return anyMatches(p.pattern, kAllocatorNames);
    case FramePattern::Type::Object:
        return anyMatches(p.pattern, kAllocatorObjects);
    case FramePattern::Type::Source:
    case FramePattern::Type::Ellipsis:
        break;
    }
    return false;
}

bool matchesFrame(const FramePattern& p, const Frame& f) {
    switch (p.type) {
    case FramePattern::Type::Function: {
        const std::string_view name = f.function ? std::string_view(*f.function) : kUnknown;
        return globMatch(p.pattern, name) || (p.demangled && *p.demangled == name);
    }
    case FramePattern::Type::Object:
        return globMatch(p.pattern, f.module ? std::string_view(*f.module) : kUnknown);
    case FramePattern::Type::Source: {
        if (!f.file || (p.line && f.line != p.line)) return false;
        const std::string_view file = *f.file;
        return globMatch(p.pattern, file) || globMatch(p.pattern, file.substr(file.rfind('/') + 1));
    }
    case FramePattern::Type::Ellipsis:
        break;
    }
    return false;
}

// Frame i of the stack as the matcher sees it: 0 is the allocation function when withAllocator.
struct Stack {
    const std::vector<Frame>& frames;
    bool withAllocator;
    std::size_t size() const { return frames.size() + (withAllocator ? 1 : 0); }
    bool matches(const FramePattern& p, std::size_t i) const {
        if (withAllocator) {
            if (i == 0) return matchesAllocator(p);
            --i;
        }
        return matchesFrame(p, frames[i]);
    }
};

// The patterns from `pi` on match the stack from `fi` on; the stack may go on past them.
bool matchFrom(const std::vector<FramePattern>& patterns, std::size_t pi, const Stack& stack,
               std::size_t fi) {
    for (; pi < patterns.size(); ++pi, ++fi) {
        if (patterns[pi].type == FramePattern::Type::Ellipsis) {
            for (std::size_t skip = fi; skip <= stack.size(); ++skip) {
                if (matchFrom(patterns, pi + 1, stack, skip)) return true;
            }
            return false;
        }
        if (fi >= stack.size() || !stack.matches(patterns[pi], fi)) return false;
    }
    return true;
}

void take(ByteCount& from, const ByteCount& part) {
    from.bytes -= std::min(from.bytes, part.bytes);
    from.blocks -= std::min(from.blocks, part.blocks);
}

void add(ByteCount& to, const ByteCount& part) {
    to.bytes += part.bytes;
    to.blocks += part.blocks;
}

} // namespace

std::optional<LeakKindSet> LeakKindSet::parse(std::string_view text) {
    text = trim(text);
    if (text == "all") return all();
    if (text == "none") return none();
    LeakKindSet set = none();
    while (true) {
        const auto comma = std::min(text.find(','), text.size());
        const std::string_view word = trim(text.substr(0, comma));
        bool known = false;
        for (std::uint8_t kind = 0; kind < format::kLeakKindCount; ++kind) {
            if (kKindWords[kind] == word) {
                set.add(static_cast<LeakKind>(kind));
                known = true;
            }
        }
        if (!known) return std::nullopt;
        if (comma == text.size()) return set;
        text.remove_prefix(comma + 1);
    }
}

std::string_view leakKindWord(LeakKind kind) { return kKindWords[static_cast<std::size_t>(kind)]; }

bool globMatch(std::string_view pattern, std::string_view text) {
    // Iterative matching with one backtrack point: linear in practice, never exponential.
    std::size_t p = 0, t = 0;
    std::size_t starP = std::string_view::npos, starT = 0;
    while (t < text.size()) {
        if (p < pattern.size() && (pattern[p] == '?' || pattern[p] == text[t])) {
            ++p;
            ++t;
        } else if (p < pattern.size() && pattern[p] == '*') {
            starP = p++;
            starT = t;
        } else if (starP != std::string_view::npos) {
            p = starP + 1;
            t = ++starT;
        } else {
            return false;
        }
    }
    while (p < pattern.size() && pattern[p] == '*')
        ++p;
    return p == pattern.size();
}

std::vector<Suppression> parseSuppressions(std::string_view text, const std::string& fileName) {
    std::vector<Suppression> out;
    LineReader in(text, fileName);
    while (const auto open = in.next()) {
        if (*open != "{")
            in.fail(fmt::format("expected '{{' to begin a suppression, not '{}'", *open));
        Suppression s;
        s.file = fileName;
        s.line = in.line();
        const std::string_view name = in.require("its name");
        if (name == "}" || name == "{") in.fail("a suppression without a name");
        s.name = std::string(name);
        const std::string_view kind = in.require("TOOL:KIND");
        const auto colon = kind.find(':');
        if (colon == std::string_view::npos || colon == 0 || colon + 1 == kind.size())
            in.fail(fmt::format("expected TOOL:KIND (as in Memcheck:Leak), not '{}'", kind));
        if (listHas(kind.substr(0, colon), "Memcheck") && kind.substr(colon + 1) == "Leak") {
            parseLeakBody(in, s);
            out.push_back(std::move(s));
            continue;
        }
        // Another tool's or another error kind's entry: its body is not ours to judge.
        for (std::string_view line = in.require("'}'"); line != "}"; line = in.require("'}'")) {
            if (line == "{") in.fail("'{' inside a suppression (a '}' is missing)");
        }
    }
    return out;
}

std::vector<Suppression> loadSuppressions(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) throw SuppressionError(fmt::format("{}: cannot open the suppression file", path));
    std::stringstream text;
    text << in.rdbuf();
    if (in.bad()) throw SuppressionError(fmt::format("{}: cannot read the suppression file", path));
    return parseSuppressions(text.str(), path);
}

bool suppresses(const Suppression& suppression, LeakKind kind, const std::vector<Frame>& frames) {
    if (!suppression.kinds.contains(kind)) return false;
    return matchFrom(suppression.frames, 0, Stack{frames, true}, 0) ||
           matchFrom(suppression.frames, 0, Stack{frames, false}, 0);
}

std::vector<SuppressionUse> applySuppressions(Model& model,
                                              const std::vector<Suppression>& suppressions,
                                              const FrameSource& frames) {
    std::vector<SuppressionUse> uses(suppressions.size());
    if (suppressions.empty()) return uses;
    LeakTotals& totals = model.summary.leaks;
    std::vector<LossRecord> kept;
    for (const LossRecord& record : model.lossRecords) {
        const std::vector<Frame> stack = frames(record.stack);
        std::size_t i = 0;
        while (i < suppressions.size() && !suppresses(suppressions[i], record.kind, stack))
            ++i;
        if (i == suppressions.size()) {
            kept.push_back(record);
            continue;
        }
        ++uses[i].records;
        add(uses[i].leaked, record.leaked);
        take(totals.of(record.kind), record.leaked);
        add(totals.suppressed, record.leaked);
    }
    model.lossRecords = std::move(kept);
    return uses;
}

} // namespace heapscope::analysis
