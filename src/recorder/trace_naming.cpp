// recorder: trace file naming and /proc facts for the trace header.
#include "recorder/trace_naming.h"

#include <errno.h>
#include <fcntl.h>
#include <unistd.h>

namespace heapscope::recorder {

std::string withPid(const std::string& path, pid_t pid) {
    const std::size_t slash = path.rfind('/');
    const std::size_t nameStart = slash == std::string::npos ? 0 : slash + 1;
    const std::size_t dot = path.rfind('.');
    const std::string suffix = "." + std::to_string(pid);
    // A leading dot (".hst", "dir/.trace") names a hidden file, not an extension.
    if (dot == std::string::npos || dot <= nameStart) return path + suffix;
    return path.substr(0, dot) + suffix + path.substr(dot);
}

std::string tracePath(const Options& options, pid_t pid) {
    if (options.output.empty()) {
        return "heapscope." + std::string(program_invocation_short_name) + "." +
               std::to_string(pid) + ".hst";
    }
    if (static_cast<std::uint64_t>(pid) == options.outputPid) return options.output;
    return withPid(options.output, pid);
}

std::string inDirectory(const std::string& path, const std::string& directory) {
    if (path.starts_with('/') || directory.empty()) return path;
    return directory.ends_with('/') ? directory + path : directory + "/" + path;
}

std::string workingDirectory() {
    char path[4096];
    return getcwd(path, sizeof(path)) != nullptr ? std::string(path) : std::string();
}

std::string executablePath() {
    char path[4096];
    const ssize_t n = readlink("/proc/self/exe", path, sizeof(path));
    return n > 0 ? std::string(path, static_cast<std::size_t>(n)) : std::string();
}

std::vector<std::string> commandLine() {
    std::string raw;
    const int fd = open("/proc/self/cmdline", O_RDONLY | O_CLOEXEC);
    if (fd >= 0) {
        char buf[4096];
        ssize_t n;
        while ((n = read(fd, buf, sizeof(buf))) > 0)
            raw.append(buf, static_cast<std::size_t>(n));
        close(fd);
    }
    std::vector<std::string> args;
    for (std::size_t start = 0; start < raw.size();) {
        const std::size_t end = raw.find('\0', start);
        args.push_back(
            raw.substr(start, end == std::string::npos ? std::string::npos : end - start));
        if (end == std::string::npos) break;
        start = end + 1;
    }
    return args;
}

} // namespace heapscope::recorder
