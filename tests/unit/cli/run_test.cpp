// Tests of `heapscope run`: the program keeps its arguments, output and exit status, heapscope
// dies by the signal that killed the program, and the trace records how the program ended.
#include <csignal>
#include <regex>

#include "run_heapscope.h"

namespace heapscope::cli::test {
namespace {

using RunTest = CliTest;

TEST_F(RunTest, ProgramKeepsItsExitStatusAndOutput) {
    const Outcome outcome =
        runHeapscope({"run", "--quiet", "sh", "-c", "echo hello; exit 3"}, m_dir);
    EXPECT_TRUE(outcome.exited(3)) << "status " << outcome.status;
    EXPECT_EQ(outcome.out, "hello\n");
    EXPECT_EQ(outcome.err, "");
}

TEST_F(RunTest, EverythingFromTheProgramOnIsTheProgramsOwn) {
    // The program sees four arguments, options of run among them; it exits with their count.
    const Outcome outcome = runHeapscope(
        {"run", "--quiet", "sh", "-c", "exit $#", "sh", "--port", "0", "-o", "--quiet"}, m_dir);
    EXPECT_TRUE(outcome.exited(4)) << "status " << outcome.status << " " << outcome.err;
    const Outcome afterDashes =
        runHeapscope({"run", "--quiet", "--", "sh", "-c", "exit $#", "sh", "--"}, m_dir);
    EXPECT_TRUE(afterDashes.exited(1)) << "status " << afterDashes.status;
}

TEST_F(RunTest, DiesByTheSignalThatKilledTheProgram) {
    const Outcome term = runHeapscope({"run", "--quiet", "sh", "-c", "kill -TERM $$"}, m_dir);
    EXPECT_TRUE(term.killedBy(SIGTERM)) << "status " << term.status;
    const Outcome segv = runHeapscope({"run", "--quiet", "sh", "-c", "kill -SEGV $$"}, m_dir);
    EXPECT_TRUE(segv.killedBy(SIGSEGV)) << "status " << segv.status;
}

TEST_F(RunTest, AProgramThatCannotStartGivesTheShellsStatus) {
    const Outcome missing = runHeapscope({"run", "no-such-program-for-heapscope"}, m_dir);
    EXPECT_TRUE(missing.exited(127)) << "status " << missing.status;
    EXPECT_EQ(missing.err,
              "heapscope: cannot run 'no-such-program-for-heapscope': No such file or directory\n");
    const Outcome notExecutable = runHeapscope({"run", "/dev/null"}, m_dir);
    EXPECT_TRUE(notExecutable.exited(126)) << "status " << notExecutable.status;
    EXPECT_EQ(notExecutable.err, "heapscope: cannot run '/dev/null': Permission denied\n");
}

TEST_F(RunTest, TraceRecordsTheExitStatus) {
    const Outcome run =
        runHeapscope({"run", "-o", "t.hst", "--quiet", "sh", "-c", "exit 3"}, m_dir);
    ASSERT_TRUE(run.exited(3)) << "status " << run.status;
    const Outcome summary = runHeapscope({"summary", "--json", "t.hst"}, m_dir);
    EXPECT_TRUE(summary.exited(0)) << summary.err;
    EXPECT_NE(summary.out.find("\"exit_status\": 3,"), std::string::npos) << summary.out;

    ASSERT_TRUE(runHeapscope({"run", "-o", "k.hst", "--quiet", "sh", "-c", "kill -TERM $$"}, m_dir)
                    .killedBy(SIGTERM));
    const Outcome killed = runHeapscope({"summary", "--json", "k.hst"}, m_dir);
    EXPECT_NE(killed.out.find("\"exit_status\": 143,"), std::string::npos) << killed.out;
}

TEST_F(RunTest, PrintsASummaryNamingTheDefaultTrace) {
    const Outcome outcome = runHeapscope({"run", "sh", "-c", "exit 0"}, m_dir);
    ASSERT_TRUE(outcome.exited(0)) << "status " << outcome.status;
    const std::regex expected("heapscope: [0-9,]+ allocations, [0-9,]+ frees, .* allocated\n"
                              "heapscope: peak heap .* at .*, peak RSS .*\n"
                              "heapscope: .* in [0-9,]+ blocks not freed at exit\n"
                              "(heapscope: .*\n)*" // the leak summary, if any
                              "heapscope: trace written to (heapscope\\.sh\\.[0-9]+\\.hst)\n");
    std::smatch match;
    ASSERT_TRUE(std::regex_match(outcome.err, match, expected)) << outcome.err;
    EXPECT_TRUE(std::filesystem::exists(m_dir + "/" + match[2].str())) << match[2];
}

} // namespace
} // namespace heapscope::cli::test
