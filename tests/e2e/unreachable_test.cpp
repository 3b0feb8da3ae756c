// e2e: programs LD_PRELOAD cannot reach (ground truth in tests/victims/static_program.c): they
// run as without heapscope, and `heapscope run` says why no trace was written.
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>

#include "heapscope_cli.h"

namespace heapscope::e2e {
namespace {

// `heapscope run -o TRACE -- program` (not quiet: the reason is on stderr).
Result runLoud(const std::string& trace, const std::string& program) {
    return run(Command{{heapscopeBinary(), "run", "-o", trace, "--", program}, {}, ""});
}

TEST(Unreachable, AStaticallyLinkedProgramRunsAsItIsAndHeapscopeSaysWhy) {
    TempDir dir;
    const std::string trace = dir.file("static.hst");
    const std::string program = victimPath("victim_static_program");
    const Result native = run(Command{{program}, {}, ""});
    const Result traced = runLoud(trace, program);
    EXPECT_EQ(native.exitCode(), 7) << native.describe();
    EXPECT_EQ(traced.exitCode(), 7) << traced.describe();
    EXPECT_EQ(traced.out, native.out);
    EXPECT_FALSE(std::filesystem::exists(trace));
    EXPECT_NE(traced.err.find("no trace was written to " + trace + ": '" + program +
                              "' is statically linked"),
              std::string::npos)
        << traced.err;
}

TEST(Unreachable, ASetUserIdProgramRunsAsItIsAndHeapscopeSaysWhy) {
    // The loader ignores LD_PRELOAD when the effective user differs from the real one: only
    // root can make such a file for another user here.
    if (::geteuid() != 0) GTEST_SKIP() << "needs root to give a copy of a victim to nobody";
    TempDir dir;
    const std::string program = dir.file("setuid_victim");
    std::filesystem::copy_file(victimPath("victim_exit_status"), program);
    ASSERT_EQ(::chown(program.c_str(), 65534, 65534), 0);
    ASSERT_EQ(::chmod(program.c_str(), 04755), 0);
    ASSERT_EQ(::chmod(dir.path().c_str(), 0755), 0);
    const std::string trace = dir.file("setuid.hst");
    const Result traced = runLoud(trace, program);
    EXPECT_EQ(traced.exitCode(), run(Command{{program}, {}, ""}).exitCode()) << traced.describe();
    EXPECT_FALSE(std::filesystem::exists(trace));
    EXPECT_NE(traced.err.find("'" + program + "' is set-user-ID or set-group-ID"),
              std::string::npos)
        << traced.err;
}

} // namespace
} // namespace heapscope::e2e
