// cli: `heapscope run [opts] [--] PROGRAM [ARGS...]`: records a trace of PROGRAM with the
// preloaded recorder, then adds how the program ended and prints a short summary on stderr.
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <iostream>
#include <optional>

#include <fmt/format.h>

#include "analysis/analyze.h"
#include "analysis/suppressions.h"
#include "analysis/symbolizer.h"
#include "cli/arguments.h"
#include "cli/child_process.h"
#include "cli/command.h"
#include "cli/commands/leak_options.h"
#include "cli/preload_reach.h"
#include "common/sizes.h"
#include "format/writer.h"
#include "reports/reporter.h"
#include "reports/run_summary.h"

namespace heapscope::cli {
namespace {

// Shells exit 127 when a command is not found and 126 when it cannot be executed; scripts that
// wrap a program in `heapscope run` keep seeing the same statuses.
constexpr int kExitNotFound = 127;
constexpr int kExitNotExecutable = 126;

struct RecorderSetting {
    std::string_view env;
    std::string_view defaultValue;
    std::string_view help;
};

constexpr RecorderSetting kRecorderSettings[] = {
#define HEAPSCOPE_OPTION(field, env, type, def, help) {#env, #def, help},
#include "recorder/options.inc"
#undef HEAPSCOPE_OPTION
};

std::string_view recorderHelp(std::string_view env) {
    for (const auto& setting : kRecorderSettings) {
        if (setting.env == env) return setting.help;
    }
    return {};
}

std::string runFooter() {
    std::string out =
        "The exit status is the program's; if a signal killed the program, heapscope dies by the "
        "same signal. If PROGRAM cannot be started, the status is 127 (not found) or 126 (not "
        "executable), as in a shell.\n\nEvery recorder setting can also be given in the "
        "environment (LD_PRELOAD=libheapscope.so works alone); HEAPSCOPE_LIBRARY overrides "
        "where run finds libheapscope.so.\n";
    for (const auto& setting : kRecorderSettings) {
        out +=
            fmt::format("  {} (default {}): {}\n", setting.env, setting.defaultValue, setting.help);
    }
    return out;
}

// <dir of /proc/self/exe>/../<libdir>/libheapscope.so: the same layout in the build tree and
// once installed.
std::string recorderLibrary() {
    if (const char* path = std::getenv("HEAPSCOPE_LIBRARY"); path != nullptr && *path != '\0')
        return path;
    std::error_code error;
    const auto self = std::filesystem::read_symlink("/proc/self/exe", error);
    if (error) throw UsageError(fmt::format("run: cannot locate heapscope: {}", error.message()));
    return (self.parent_path() / ".." / HEAPSCOPE_INSTALL_LIBDIR / "libheapscope.so")
        .lexically_normal()
        .string();
}

std::string defaultTracePath(const std::string& program, pid_t pid) {
    return fmt::format("heapscope.{}.{}.hst", std::filesystem::path(program).filename().string(),
                       pid);
}

// The recorder keeps the name it is given absolute, so a program that changes directory still
// writes where heapscope run reads; given absolute, the recorder need not change its environment.
std::string absoluteTracePath(const std::string& path) {
    std::error_code error;
    const std::filesystem::path absolute = std::filesystem::absolute(path, error);
    return error ? path : absolute.string();
}

// Appends how the program ended, so reports can tell it (the recorder cannot know a signal).
bool appendExitStatus(const std::string& tracePath, const ProgramExit& exit) {
    format::TraceWriter writer;
    if (!writer.openAppend(tracePath)) return false;
    writer.write(format::ExitStatusRecord{exit.signaled, exit.code});
    return writer.close();
}

// What the run's leak options asked for.
struct LeakSettings {
    std::string check = "summary"; // none|summary|full, passed on as HEAPSCOPE_LEAK_CHECK
    analysis::LeakKindSet showKinds = analysis::LeakKindSet::none();
    analysis::LeakKindSet errorKinds = analysis::LeakKindSet::none();
    std::vector<analysis::Suppression> suppressions;
    bool genSuppressions = false;
    std::optional<int> errorExitCode;
};

// Prints the end-of-run lines (unless quiet) and says whether --error-exitcode applies.
bool reportRun(const std::string& program, const std::string& tracePath, bool traceWritten,
               bool quiet, const LeakSettings& leaks) {
    if (!traceWritten) {
        if (quiet) return false;
        const std::string reason = whyPreloadCannotReach(program);
        std::cerr << fmt::format("heapscope: no trace was written to {}{}\n", tracePath,
                                 reason.empty() ? "" : ": " + reason);
        return false;
    }
    if (quiet && !leaks.errorExitCode) return false;
    try {
        analysis::Model model = analysis::analyzeTrace(tracePath);
        analysis::Symbolizer symbolizer(model.modules);
        const auto resolve = reports::symbolizingResolver(model, symbolizer);
        analysis::applySuppressions(model, leaks.suppressions, resolve);
        const bool checked = leaks.check != "none";
        if (!quiet) {
            reports::RunLeakOptions options;
            options.lossRecords = leaks.check == "full";
            options.kinds = leaks.showKinds;
            options.genSuppressions = leaks.genSuppressions;
            if (!checked) model.exitLeakCheck.reset();
            std::cerr << reports::runSummaryText(
                model, tracePath, reports::runLeakText(model, resolve, options, tracePath));
        }
        return reports::runFoundErrors(model,
                                       checked ? leaks.errorKinds : analysis::LeakKindSet::none());
    } catch (const std::exception& e) {
        // Whatever goes wrong here, the program's own exit status must still come through.
        std::cerr << fmt::format("heapscope: cannot read trace {}: {}\n", tracePath, e.what());
    }
    return false;
}

// The exit status --error-exitcode may give: 1 to 255, as a shell can see it.
int parseExitCode(const CLI::App& app, const std::string& text) {
    const std::uint64_t code = parsePositive(app, "--error-exitcode", text);
    if (code > 255) {
        throw UsageError(
            fmt::format("run: --error-exitcode expects 1 to 255, not '{}' {}", text, seeHelp(app)));
    }
    return static_cast<int>(code);
}

} // namespace

int runCommand(const std::vector<std::string>& args) {
    CLI::App app{"Run PROGRAM with the heapscope recorder and write its heap trace.",
                 "heapscope run"};
    std::string output;
    bool quiet = false;
    std::string stackDepthText;
    bool traceChildren = false;
    std::string freeStacks;
    bool startPaused = false;
    std::string sampleRateText;
    LeakSettings leaks;
    std::string showKinds = "definite,possible";
    std::string errorKinds = "definite,indirect";
    std::vector<std::string> suppressionFiles;
    std::string errorExitCode;
    std::string program;
    std::vector<std::string> programArgs;
    app.add_option("-o,--output", output,
                   "trace file (default heapscope.<program>.<pid>.hst); a forked child's trace "
                   "gets .<childpid> before the extension");
    app.add_flag("--quiet", quiet, "print no summary at the end");
    app.add_option("--stack-depth", stackDepthText,
                   std::string(recorderHelp("HEAPSCOPE_STACK_DEPTH")));
    app.add_flag("--trace-children", traceChildren,
                 std::string(recorderHelp("HEAPSCOPE_TRACE_CHILDREN")));
    app.add_option("--free-stacks", freeStacks,
                   "yes|no (default yes): " + std::string(recorderHelp("HEAPSCOPE_FREE_STACKS")));
    app.add_flag("--start-paused", startPaused,
                 std::string(recorderHelp("HEAPSCOPE_START_PAUSED")));
    app.add_option("--sample-rate", sampleRateText,
                   "BYTES (e.g. 512K): " + std::string(recorderHelp("HEAPSCOPE_SAMPLE_RATE")));
    app.add_option("--leak-check", leaks.check,
                   "none|summary|full (default summary): scan for leaks at exit and print the "
                   "LEAK SUMMARY; full also prints the loss records");
    app.add_option("--show-leak-kinds", showKinds,
                   "the loss records --leak-check=full prints: definite,indirect,possible,"
                   "reachable (comma-separated), all or none (default definite,possible)");
    app.add_option("--errors-for-leak-kinds", errorKinds,
                   "the leak kinds --error-exitcode counts, same syntax (default "
                   "definite,indirect)");
    app.add_option("--error-exitcode", errorExitCode,
                   "exit with this status (1-255) when heap errors or leaks of the kinds above "
                   "were found (after suppression)");
    app.add_option("--suppressions", suppressionFiles,
                   "a suppression file in Valgrind's format; may be given more than once");
    app.add_flag("--gen-suppressions", leaks.genSuppressions,
                 "print a suppression block after each loss record (with --leak-check=full)");
    app.add_option("PROGRAM", program, "the program to run; everything from here is its own");
    app.add_option("ARGS", programArgs, "the program's arguments");
    app.footer(runFooter());
    if (!parseArguments(app, args, Positionals::EndOptions)) return kExitSuccess;
    requireArgument(app, "PROGRAM", program);
    // The recorder reads the setting back as a plain number.
    if (!stackDepthText.empty())
        stackDepthText = std::to_string(parsePositive(app, "--stack-depth", stackDepthText));
    if (!sampleRateText.empty()) {
        const auto rate = parseSize(sampleRateText);
        if (!rate) {
            throw UsageError(fmt::format("run: --sample-rate expects a size in bytes (512K, 1M), "
                                         "not '{}' {}",
                                         sampleRateText, seeHelp(app)));
        }
        sampleRateText = std::to_string(*rate);
    }
    if (!freeStacks.empty() && freeStacks != "yes" && freeStacks != "no") {
        throw UsageError(fmt::format("run: --free-stacks expects yes or no, not '{}' {}",
                                     freeStacks, seeHelp(app)));
    }

    if (leaks.check != "none" && leaks.check != "summary" && leaks.check != "full") {
        throw UsageError(fmt::format("run: --leak-check expects none, summary or full, not '{}' {}",
                                     leaks.check, seeHelp(app)));
    }
    leaks.showKinds = parseLeakKinds(app, "run", "--show-leak-kinds", showKinds);
    leaks.errorKinds = parseLeakKinds(app, "run", "--errors-for-leak-kinds", errorKinds);
    if (!errorExitCode.empty()) leaks.errorExitCode = parseExitCode(app, errorExitCode);
    leaks.suppressions = loadSuppressionFiles("run", suppressionFiles);

    const std::string library = recorderLibrary();
    if (access(library.c_str(), R_OK) != 0) {
        throw UsageError(fmt::format("run: cannot use the recorder library '{}': {}", library,
                                     std::strerror(errno)));
    }
    std::vector<std::string> argv{program};
    argv.insert(argv.end(), programArgs.begin(), programArgs.end());

    const auto environment = [&](pid_t self) {
        const char* preload = std::getenv("LD_PRELOAD");
        Environment env{
            {"LD_PRELOAD", preload && *preload ? library + ":" + preload : library},
            {"HEAPSCOPE_OUTPUT",
             absoluteTracePath(output.empty() ? defaultTracePath(program, self) : output)},
            {"HEAPSCOPE_OUTPUT_PID", std::to_string(self)}};
        if (!stackDepthText.empty()) env.emplace_back("HEAPSCOPE_STACK_DEPTH", stackDepthText);
        if (traceChildren) env.emplace_back("HEAPSCOPE_TRACE_CHILDREN", "1");
        if (!freeStacks.empty()) env.emplace_back("HEAPSCOPE_FREE_STACKS", freeStacks);
        if (startPaused) env.emplace_back("HEAPSCOPE_START_PAUSED", "1");
        if (!sampleRateText.empty()) env.emplace_back("HEAPSCOPE_SAMPLE_RATE", sampleRateText);
        env.emplace_back("HEAPSCOPE_LEAK_CHECK", leaks.check);
        return env;
    };
    const StartedProgram started = startProgram(argv, environment);
    if (started.execError != 0) {
        std::cerr << fmt::format("heapscope: cannot run '{}': {}\n", program,
                                 std::strerror(started.execError));
        return started.execError == ENOENT ? kExitNotFound : kExitNotExecutable;
    }
    const std::string tracePath = output.empty() ? defaultTracePath(program, started.pid) : output;
    const ProgramExit exit = waitForProgram(started.pid);

    std::error_code error;
    const bool traceWritten = std::filesystem::exists(tracePath, error);
    if (traceWritten && !appendExitStatus(tracePath, exit) && !quiet) {
        std::cerr << fmt::format("heapscope: could not add the exit status to {}\n", tracePath);
    }
    const bool foundErrors = reportRun(program, tracePath, traceWritten, quiet, leaks);
    if (exit.signaled) dieBySignal(exit.code);
    return foundErrors && leaks.errorExitCode ? *leaks.errorExitCode : exit.code;
}

} // namespace heapscope::cli
