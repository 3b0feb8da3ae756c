// Tests of the heapscope command: bad usage and unreadable inputs give exit status 2 and exactly
// one line on stderr; help gives 0.
#include <fstream>

#include "run_heapscope.h"

namespace heapscope::cli::test {
namespace {

class UsageTest : public CliTest {
protected:
    // Exit status 2, nothing on stdout and one line on stderr: "heapscope: " + expected.
    void expectUsageError(const std::vector<std::string>& args, const std::string& expected) {
        const Outcome outcome = runHeapscope(args, m_dir);
        EXPECT_TRUE(outcome.exited(2)) << "status " << outcome.status;
        EXPECT_EQ(outcome.err, "heapscope: " + expected + "\n");
        EXPECT_EQ(outcome.out, "");
    }
};

TEST_F(UsageTest, MissingOrUnknownCommand) {
    expectUsageError({}, "missing command (see heapscope --help)");
    expectUsageError({"bogus"}, "unknown command 'bogus' (see heapscope --help)");
    expectUsageError({"--bogus"}, "unknown option '--bogus' (see heapscope --help)");
    expectUsageError({"help", "bogus"}, "unknown command 'bogus' (see heapscope --help)");
}

TEST_F(UsageTest, UnknownOption) {
    expectUsageError({"top", "--bogus", "x.hst"},
                     "unknown option '--bogus' (see heapscope help top)");
    expectUsageError({"summary", "x.hst", "-z"},
                     "unknown option '-z' (see heapscope help summary)");
    expectUsageError({"run", "--leak-checks", "full", "ls"},
                     "unknown option '--leak-checks' (see heapscope help run)");
}

TEST_F(UsageTest, MissingArgumentOrValue) {
    expectUsageError({"summary"}, "summary: missing TRACE argument (see heapscope help summary)");
    expectUsageError({"top", "--json"}, "top: missing TRACE argument (see heapscope help top)");
    expectUsageError({"dump"}, "dump: missing TRACE argument (see heapscope help dump)");
    expectUsageError({"run", "--quiet"}, "run: missing PROGRAM argument (see heapscope help run)");
    expectUsageError({"top", "x.hst", "-n"}, "option '-n' needs a value (see heapscope help top)");
    expectUsageError({"summary", "a.hst", "b.hst"},
                     "unexpected argument 'b.hst' (see heapscope help summary)");
}

TEST_F(UsageTest, BadOptionValues) {
    expectUsageError({"top", "x.hst", "--by", "bogus"},
                     "top: --by expects one of allocated|count|peak|leaked|temporary, not 'bogus' "
                     "(see heapscope help top)");
    expectUsageError({"top", "x.hst", "-n", "-3"},
                     "top: -n expects a whole number of at least 1, not '-3' "
                     "(see heapscope help top)");
    expectUsageError({"top", "x.hst", "--limit=ten"},
                     "top: -n expects a whole number of at least 1, not 'ten' "
                     "(see heapscope help top)");
    expectUsageError({"summary", "--json=yes", "x.hst"},
                     "option '--json' takes no value (see heapscope help summary)");
    expectUsageError({"run", "--stack-depth", "0", "ls"},
                     "run: --stack-depth expects a whole number of at least 1, not '0' "
                     "(see heapscope help run)");
}

TEST_F(UsageTest, UnreadableTrace) {
    for (const std::string command : {"summary", "top", "dump"}) {
        expectUsageError({command, "missing.hst"},
                         command + ": cannot open trace 'missing.hst': No such file or directory");
    }
    std::ofstream(m_dir + "/text.hst") << "this is not a trace\n";
    for (const std::string command : {"summary", "top", "dump"}) {
        SCOPED_TRACE(command);
        const Outcome outcome = runHeapscope({command, "text.hst"}, m_dir);
        EXPECT_TRUE(outcome.exited(2)) << "status " << outcome.status;
        EXPECT_TRUE(outcome.err.starts_with("heapscope: " + command + ": ")) << outcome.err;
        EXPECT_EQ(outcome.err.find('\n'), outcome.err.size() - 1) << outcome.err;
    }
}

TEST_F(UsageTest, HelpAndVersionSucceedOnStdout) {
    for (const auto& args : {std::vector<std::string>{"--help"},
                             {"help"},
                             {"help", "run"},
                             {"help", "top"},
                             {"top", "--help"},
                             {"summary", "-h"},
                             {"run", "--help"},
                             {"dump", "--help"}}) {
        const Outcome outcome = runHeapscope(args, m_dir);
        EXPECT_TRUE(outcome.exited(0)) << args.front() << " status " << outcome.status;
        EXPECT_NE(outcome.out.find("Usage: heapscope"), std::string::npos) << outcome.out;
        EXPECT_EQ(outcome.err, "");
    }
    const Outcome version = runHeapscope({"--version"}, m_dir);
    EXPECT_TRUE(version.exited(0));
    EXPECT_TRUE(version.out.starts_with("heapscope ")) << version.out;
}

} // namespace
} // namespace heapscope::cli::test
