// reports: the pprof profile.
#include "reports/pprof.h"

#include <stdexcept>
#include <unordered_map>

#include <fmt/format.h>
#include <zlib.h>

#include "reports/pprof/profile.pb.h"

namespace heapscope::reports {
namespace {

class ProfileBuilder {
public:
    ProfileBuilder(const analysis::Model& model, pprof::Profile& profile)
        : m_model(model), m_profile(profile) {
        string(""); // string_table[0] must be empty
    }

    std::int64_t string(const std::string& text) {
        const auto [it, inserted] = m_strings.try_emplace(text, m_profile.string_table_size());
        if (inserted) m_profile.add_string_table(text);
        return it->second;
    }

    void valueType(pprof::ValueType* type, const char* name, const char* unit) {
        type->set_type(string(name));
        type->set_unit(string(unit));
    }

    // The location of one return address, made of its frames (inlined ones first).
    std::uint64_t location(const analysis::Frame* begin, const analysis::Frame* end) {
        const std::uint64_t address = end[-1].address;
        const auto [it, inserted] = m_locations.try_emplace(address, m_locations.size() + 1);
        if (!inserted) return it->second;
        pprof::Location* location = m_profile.add_location();
        location->set_id(it->second);
        location->set_address(address);
        location->set_mapping_id(mapping(address));
        for (const analysis::Frame* frame = begin; frame != end; ++frame) {
            pprof::Line* line = location->add_line();
            line->set_function_id(function(*frame));
            line->set_line(frame->line.value_or(0));
        }
        return it->second;
    }

private:
    std::uint64_t function(const analysis::Frame& frame) {
        const std::string name = frame.function.value_or(fmt::format("{:#x}", frame.address));
        const std::string file = frame.file.value_or("");
        const auto [it, inserted] =
            m_functions.try_emplace(name + '\0' + file, m_functions.size() + 1);
        if (inserted) {
            pprof::Function* function = m_profile.add_function();
            function->set_id(it->second);
            function->set_name(string(name));
            function->set_system_name(string(name));
            function->set_filename(string(file));
        }
        return it->second;
    }

    // The mapping of the module holding address; 0 (none) when no module does.
    std::uint64_t mapping(std::uint64_t address) {
        for (std::size_t i = 0; i < m_model.modules.size(); ++i) {
            const analysis::ModuleInfo& module = m_model.modules[i];
            for (const auto& segment : module.segments) {
                if (address < segment.start || address - segment.start >= segment.size) continue;
                const auto [it, inserted] = m_mappings.try_emplace(i, m_mappings.size() + 1);
                if (inserted) addMapping(module, it->second);
                return it->second;
            }
        }
        return 0;
    }

    void addMapping(const analysis::ModuleInfo& module, std::uint64_t id) {
        std::uint64_t start = ~std::uint64_t{0};
        std::uint64_t limit = 0;
        for (const auto& segment : module.segments) {
            start = std::min(start, segment.start);
            limit = std::max(limit, segment.start + segment.size);
        }
        std::string buildId;
        for (const unsigned char byte : module.buildId)
            buildId += fmt::format("{:02x}", byte);
        pprof::Mapping* mapping = m_profile.add_mapping();
        mapping->set_id(id);
        mapping->set_memory_start(start);
        mapping->set_memory_limit(limit);
        mapping->set_filename(string(module.path));
        mapping->set_build_id(string(buildId));
        mapping->set_has_functions(true);
        mapping->set_has_filenames(true);
        mapping->set_has_line_numbers(true);
        mapping->set_has_inline_frames(true);
    }

    const analysis::Model& m_model;
    pprof::Profile& m_profile;
    std::unordered_map<std::string, std::int64_t> m_strings;
    std::unordered_map<std::uint64_t, std::uint64_t> m_locations; // address -> id
    std::unordered_map<std::string, std::uint64_t> m_functions;   // name, file -> id
    std::unordered_map<std::size_t, std::uint64_t> m_mappings;    // module index -> id
};

std::string gzip(const std::string& data) {
    z_stream stream{};
    // 15 + 16: a gzip header and trailer around the deflate stream.
    if (deflateInit2(&stream, Z_BEST_COMPRESSION, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) !=
        Z_OK)
        throw std::runtime_error("pprof: cannot start gzip compression");
    std::string out(deflateBound(&stream, static_cast<uLong>(data.size())), '\0');
    stream.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(data.data()));
    stream.avail_in = static_cast<uInt>(data.size());
    stream.next_out = reinterpret_cast<Bytef*>(out.data());
    stream.avail_out = static_cast<uInt>(out.size());
    const int status = deflate(&stream, Z_FINISH);
    out.resize(stream.total_out);
    deflateEnd(&stream);
    if (status != Z_STREAM_END) throw std::runtime_error("pprof: gzip compression failed");
    return out;
}

} // namespace

std::string pprofProfile(const analysis::Model& model, const StackResolver& resolve) {
    pprof::Profile profile;
    ProfileBuilder builder(model, profile);
    builder.valueType(profile.add_sample_type(), "alloc_objects", "count");
    builder.valueType(profile.add_sample_type(), "alloc_space", "bytes");
    builder.valueType(profile.add_sample_type(), "inuse_objects", "count");
    builder.valueType(profile.add_sample_type(), "inuse_space", "bytes");
    builder.valueType(profile.mutable_period_type(), "space", "bytes");
    const std::uint64_t rate = model.summary.sampleRate;
    profile.set_period(static_cast<std::int64_t>(rate));
    profile.set_default_sample_type(builder.string("alloc_space"));
    profile.set_time_nanos(static_cast<std::int64_t>(model.header.startRealtimeNs));
    profile.set_duration_nanos(static_cast<std::int64_t>(model.summary.runtimeNs));
    profile.add_comment(builder.string("recorded by heapscope: " + model.summary.program));

    for (const auto& site : model.sites) {
        const auto frames = resolve(site.stack);
        pprof::Sample* sample = profile.add_sample();
        // A return address's inlined frames come before it, each marked inlined.
        std::size_t groupStart = 0;
        for (std::size_t i = 0; i < frames.size(); ++i) {
            if (frames[i].inlined && i + 1 < frames.size()) continue;
            sample->add_location_id(builder.location(&frames[groupStart], &frames[i] + 1));
            groupStart = i + 1;
        }
        // A sampled trace's site figures are already weighted per block by the replay
        // (analysis/sample_weight.h), which is exact where pprof's own per-site average is not.
        sample->add_value(static_cast<std::int64_t>(site.allocations));
        sample->add_value(static_cast<std::int64_t>(site.bytesAllocated));
        sample->add_value(static_cast<std::int64_t>(site.leakedBlocks));
        sample->add_value(static_cast<std::int64_t>(site.leakedBytes));
    }
    std::string bytes;
    if (!profile.SerializeToString(&bytes))
        throw std::runtime_error("pprof: cannot encode the profile");
    return gzip(bytes);
}

} // namespace heapscope::reports
