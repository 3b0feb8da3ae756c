// recorder: derives an x86-64 frame rule from .eh_frame: libgcc's _Unwind_Find_FDE finds the FDE
// (through glibc's lock-free _dl_find_object and .eh_frame_hdr), and the CIE's and FDE's call
// frame instructions are run here up to the address. Only the subset a compiler emits for
// ordinary frames is understood; anything else yields a Fallback rule.
#include "recorder/unwind_cfa.h"

#include <cstddef>
#include <cstring>

// libgcc's FDE lookup, exported by libgcc_s since GCC 3.0 but declared in no installed header.
extern "C" {
struct dwarf_eh_bases {
    void* tbase;
    void* dbase;
    void* func;
};
const void* _Unwind_Find_FDE(void* pc, struct dwarf_eh_bases* bases);
}

namespace heapscope::recorder {
namespace {

// DWARF register numbers of x86-64 (System V psABI, figure 3.36).
constexpr std::uint64_t kRegRbp = 6;
constexpr std::uint64_t kRegRsp = 7;
constexpr std::uint64_t kRegReturnAddress = 16;

constexpr std::size_t kStateStackDepth = 8;

// Reads a CIE or FDE within its bounds; a read past the end clears ok() instead of overrunning.
class Cursor {
public:
    Cursor(const std::uint8_t* p, const std::uint8_t* end) noexcept : m_p(p), m_end(end) {}

    [[nodiscard]] bool ok() const noexcept { return m_ok; }
    [[nodiscard]] bool atEnd() const noexcept { return !m_ok || m_p >= m_end; }
    [[nodiscard]] const std::uint8_t* position() const noexcept { return m_p; }

    template <typename T>
    T fixed() noexcept {
        T value{};
        if (!take(sizeof(T))) return value;
        std::memcpy(&value, m_p - sizeof(T), sizeof(T));
        return value;
    }

    std::uint64_t uleb() noexcept {
        std::uint64_t value = 0;
        for (unsigned shift = 0; take(1); shift += 7) {
            const std::uint8_t byte = m_p[-1];
            if (shift < 64) value |= static_cast<std::uint64_t>(byte & 0x7f) << shift;
            if ((byte & 0x80) == 0) return value;
        }
        return value;
    }

    std::int64_t sleb() noexcept {
        std::uint64_t value = 0;
        unsigned shift = 0;
        while (take(1)) {
            const std::uint8_t byte = m_p[-1];
            if (shift < 64) value |= static_cast<std::uint64_t>(byte & 0x7f) << shift;
            shift += 7;
            if ((byte & 0x80) == 0) {
                if (shift < 64 && (byte & 0x40) != 0) value |= ~std::uint64_t{0} << shift;
                break;
            }
        }
        return static_cast<std::int64_t>(value);
    }

    // Skips a pointer in a DW_EH_PE_* encoding (only its size matters here).
    void skipEncoded(std::uint8_t encoding) noexcept {
        if (encoding == 0xff) return; // DW_EH_PE_omit
        switch (encoding & 0x0f) {
        case 0x00: // absptr
        case 0x04: // udata8
        case 0x0c: // sdata8
            (void)take(8);
            return;
        case 0x01:
            (void)uleb();
            return;
        case 0x09:
            (void)sleb();
            return;
        case 0x02:
        case 0x0a:
            (void)take(2);
            return;
        case 0x03:
        case 0x0b:
            (void)take(4);
            return;
        default:
            m_ok = false;
        }
    }

    bool take(std::size_t bytes) noexcept {
        if (!m_ok || static_cast<std::size_t>(m_end - m_p) < bytes) {
            m_ok = false;
            return false;
        }
        m_p += bytes;
        return true;
    }

private:
    const std::uint8_t* m_p;
    const std::uint8_t* m_end;
    bool m_ok = true;
};

// A CIE or FDE: [start of its body, end) from its length field; false on a 64-bit or zero length.
bool entryBounds(const std::uint8_t* entry, const std::uint8_t*& body, const std::uint8_t*& end) {
    std::uint32_t length = 0;
    std::memcpy(&length, entry, sizeof(length));
    if (length == 0 || length == 0xffffffffU) return false;
    body = entry + sizeof(length);
    end = body + length;
    return true;
}

enum class RegisterRule : std::uint8_t { Unchanged, AtCfaOffset, Undefined, Other };

struct RowState {
    std::uint64_t cfaRegister = kRegRsp;
    std::int64_t cfaOffset = 8;
    bool cfaIsExpression = false;
    RegisterRule rbp = RegisterRule::Unchanged;
    std::int64_t rbpOffset = 0;
    RegisterRule returnAddress = RegisterRule::Other;
    std::int64_t returnAddressOffset = 0;
};

struct Cie {
    std::uint64_t codeAlignment = 1;
    std::int64_t dataAlignment = 1;
    std::uint8_t fdeEncoding = 0; // DW_EH_PE_absptr
    bool hasAugmentationData = false;
    Cursor instructions{nullptr, nullptr};
};

bool parseCie(const std::uint8_t* entry, Cie& cie) {
    const std::uint8_t* body = nullptr;
    const std::uint8_t* end = nullptr;
    if (!entryBounds(entry, body, end)) return false;
    Cursor in(body, end);
    if (in.fixed<std::uint32_t>() != 0) return false; // a CIE's id is 0 in .eh_frame
    const auto version = in.fixed<std::uint8_t>();
    if (version != 1 && version != 3) return false;
    const auto* augmentation = reinterpret_cast<const char*>(in.position());
    const std::size_t augmentationLength =
        strnlen(augmentation, static_cast<std::size_t>(end - in.position()));
    if (!in.take(augmentationLength + 1)) return false;
    cie.codeAlignment = in.uleb();
    cie.dataAlignment = in.sleb();
    const std::uint64_t returnRegister = version == 1 ? in.fixed<std::uint8_t>() : in.uleb();
    if (returnRegister != kRegReturnAddress) return false;
    if (augmentationLength > 0) {
        if (augmentation[0] != 'z') return false; // e.g. the pre-'z' "eh" augmentation
        cie.hasAugmentationData = true;
        const std::uint64_t dataLength = in.uleb();
        const std::uint8_t* dataEnd = in.position() + dataLength;
        for (std::size_t i = 1; i < augmentationLength; ++i) {
            switch (augmentation[i]) {
            case 'R':
                cie.fdeEncoding = in.fixed<std::uint8_t>();
                break;
            case 'P':
                in.skipEncoded(in.fixed<std::uint8_t>());
                break;
            case 'L':
                (void)in.fixed<std::uint8_t>();
                break;
            // 'S' (a signal frame) and unknown letters: the full unwinder knows better.
            default:
                return false;
            }
        }
        if (!in.ok() || dataEnd > end || in.position() > dataEnd) return false;
        in = Cursor(dataEnd, end);
    }
    cie.instructions = in;
    return in.ok();
}

void setRule(RowState& row, std::uint64_t reg, RegisterRule rule, std::int64_t offset) {
    if (reg == kRegRbp) {
        row.rbp = rule;
        row.rbpOffset = offset;
    } else if (reg == kRegReturnAddress) {
        row.returnAddress = rule;
        row.returnAddressOffset = offset;
    }
    // Other registers do not take part in finding the CFA, rbp or the return address.
}

void restoreRule(RowState& row, const RowState& initial, std::uint64_t reg) {
    if (reg == kRegRbp) setRule(row, reg, initial.rbp, initial.rbpOffset);
    if (reg == kRegReturnAddress)
        setRule(row, reg, initial.returnAddress, initial.returnAddressOffset);
}

// Runs call frame instructions while the location has not passed pc. initial is the row after
// the CIE's instructions (for DW_CFA_restore); false on anything outside the understood subset.
bool runInstructions(Cursor in, const Cie& cie, std::uintptr_t location, std::uintptr_t pc,
                     RowState& row, const RowState& initial) {
    RowState saved[kStateStackDepth];
    std::size_t savedCount = 0;
    const auto advance = [&](std::uint64_t delta) {
        location += delta * cie.codeAlignment;
        return location <= pc;
    };
    while (!in.atEnd()) {
        const auto op = in.fixed<std::uint8_t>();
        const std::uint8_t low = op & 0x3f;
        switch (op & 0xc0) {
        case 0x40: // DW_CFA_advance_loc
            if (!advance(low)) return true;
            continue;
        case 0x80: // DW_CFA_offset
            setRule(row, low, RegisterRule::AtCfaOffset,
                    static_cast<std::int64_t>(in.uleb()) * cie.dataAlignment);
            continue;
        case 0xc0:
            restoreRule(row, initial, low);
            continue; // DW_CFA_restore
        default:
            break;
        }
        switch (op) {
        case 0x00:
            break; // DW_CFA_nop
        case 0x02:
            if (!advance(in.fixed<std::uint8_t>())) return true;
            break;
        case 0x03:
            if (!advance(in.fixed<std::uint16_t>())) return true;
            break;
        case 0x04:
            if (!advance(in.fixed<std::uint32_t>())) return true;
            break;
        case 0x05: { // DW_CFA_offset_extended
            const std::uint64_t reg = in.uleb();
            setRule(row, reg, RegisterRule::AtCfaOffset,
                    static_cast<std::int64_t>(in.uleb()) * cie.dataAlignment);
            break;
        }
        case 0x06:
            restoreRule(row, initial, in.uleb());
            break; // DW_CFA_restore_extended
        case 0x07:
            setRule(row, in.uleb(), RegisterRule::Undefined, 0);
            break;
        case 0x08:
            setRule(row, in.uleb(), RegisterRule::Unchanged, 0);
            break;   // same_value
        case 0x09: { // DW_CFA_register
            const std::uint64_t reg = in.uleb();
            (void)in.uleb();
            setRule(row, reg, RegisterRule::Other, 0);
            break;
        }
        case 0x0a: // DW_CFA_remember_state
            if (savedCount == kStateStackDepth) return false;
            saved[savedCount++] = row;
            break;
        case 0x0b: // DW_CFA_restore_state
            if (savedCount == 0) return false;
            row = saved[--savedCount];
            break;
        case 0x0c: // DW_CFA_def_cfa
            row.cfaRegister = in.uleb();
            row.cfaOffset = static_cast<std::int64_t>(in.uleb());
            row.cfaIsExpression = false;
            break;
        case 0x0d:
            row.cfaRegister = in.uleb();
            break; // register
        case 0x0e:
            row.cfaOffset = static_cast<std::int64_t>(in.uleb());
            break; // offset
        case 0x0f:
            row.cfaIsExpression = true;
            (void)in.take(in.uleb());
            break;   // expression
        case 0x10:   // expression
        case 0x16: { // val_expr
            const std::uint64_t reg = in.uleb();
            (void)in.take(in.uleb());
            setRule(row, reg, RegisterRule::Other, 0);
            break;
        }
        case 0x11: { // DW_CFA_offset_extended_sf
            const std::uint64_t reg = in.uleb();
            setRule(row, reg, RegisterRule::AtCfaOffset, in.sleb() * cie.dataAlignment);
            break;
        }
        case 0x12: // DW_CFA_def_cfa_sf
            row.cfaRegister = in.uleb();
            row.cfaOffset = in.sleb() * cie.dataAlignment;
            row.cfaIsExpression = false;
            break;
        case 0x13:
            row.cfaOffset = in.sleb() * cie.dataAlignment;
            break;   // def_cfa_offset_sf
        case 0x14:   // DW_CFA_val_offset
        case 0x15: { // DW_CFA_val_offset_sf
            const std::uint64_t reg = in.uleb();
            if (op == 0x14)
                (void)in.uleb();
            else
                (void)in.sleb();
            setRule(row, reg, RegisterRule::Other, 0);
            break;
        }
        case 0x2e:
            (void)in.uleb();
            break;   // DW_CFA_GNU_args_size: only matters to landing pads
        case 0x2f: { // DW_CFA_GNU_negative_offset_extended
            const std::uint64_t reg = in.uleb();
            setRule(row, reg, RegisterRule::AtCfaOffset,
                    -static_cast<std::int64_t>(in.uleb()) * cie.dataAlignment);
            break;
        }
        default:
            return false; // DW_CFA_set_loc and anything unknown
        }
    }
    return in.ok();
}

FrameRule ruleFromRow(const RowState& row) {
    FrameRule rule;
    if (row.returnAddress == RegisterRule::Undefined) {
        rule.kind = FrameRuleKind::Outermost;
        return rule;
    }
    const bool standardReturn =
        row.returnAddress == RegisterRule::AtCfaOffset && row.returnAddressOffset == -8;
    const bool knownBase = row.cfaRegister == kRegRsp || row.cfaRegister == kRegRbp;
    const bool rbpKnown = row.rbp == RegisterRule::Unchanged ||
                          (row.rbp == RegisterRule::AtCfaOffset && row.rbpOffset < 0 &&
                           row.rbpOffset >= INT16_MIN && row.rbpOffset % 8 == 0);
    if (row.cfaIsExpression || !standardReturn || !knownBase || !rbpKnown || row.cfaOffset < 8 ||
        row.cfaOffset > INT32_MAX || row.cfaOffset % 8 != 0) {
        return rule;
    }
    rule.kind = FrameRuleKind::Walk;
    rule.base = row.cfaRegister == kRegRsp ? CfaBase::Rsp : CfaBase::Rbp;
    rule.cfaOffset = static_cast<std::int32_t>(row.cfaOffset);
    rule.rbpOffset =
        row.rbp == RegisterRule::AtCfaOffset ? static_cast<std::int16_t>(row.rbpOffset) : 0;
    return rule;
}

} // namespace

FrameRule deriveFrameRule(std::uintptr_t pc) noexcept {
    dwarf_eh_bases bases{};
    const auto* fde =
        static_cast<const std::uint8_t*>(_Unwind_Find_FDE(reinterpret_cast<void*>(pc), &bases));
    if (fde == nullptr) return FrameRule{};
    const std::uint8_t* body = nullptr;
    const std::uint8_t* end = nullptr;
    if (!entryBounds(fde, body, end)) return FrameRule{};
    Cursor in(body, end);
    // The CIE pointer counts back from its own field.
    const auto ciePointer = in.fixed<std::uint32_t>();
    Cie cie;
    if (ciePointer == 0 || !parseCie(body - ciePointer, cie)) return FrameRule{};
    in.skipEncoded(cie.fdeEncoding); // pc_begin: bases.func has it
    in.skipEncoded(static_cast<std::uint8_t>(cie.fdeEncoding & 0x0f)); // pc_range
    if (cie.hasAugmentationData) (void)in.take(in.uleb());
    if (!in.ok()) return FrameRule{};

    const auto start = reinterpret_cast<std::uintptr_t>(bases.func);
    RowState row;
    RowState initial;
    if (!runInstructions(cie.instructions, cie, start, pc, row, initial)) return FrameRule{};
    initial = row;
    if (!runInstructions(in, cie, start, pc, row, initial)) return FrameRule{};
    return ruleFromRow(row);
}

} // namespace heapscope::recorder
