// tests/unit/recorder: trace file naming (HEAPSCOPE_OUTPUT and HEAPSCOPE_OUTPUT_PID rules).
#include <gtest/gtest.h>

#include <string>

#include "recorder/trace_naming.h"

namespace heapscope::recorder {
namespace {

TEST(TraceNaming, PidGoesBeforeTheExtension) {
    EXPECT_EQ(withPid("out.hst", 42), "out.42.hst");
    EXPECT_EQ(withPid("/tmp/run.d/out", 42), "/tmp/run.d/out.42");
    EXPECT_EQ(withPid("/tmp/.hst", 42), "/tmp/.hst.42");
    EXPECT_EQ(withPid("a.b.hst", 7), "a.b.7.hst");
}

TEST(TraceNaming, RelativeNamesAreTakenFromTheGivenDirectory) {
    EXPECT_EQ(inDirectory("out.hst", "/srv/app"), "/srv/app/out.hst");
    EXPECT_EQ(inDirectory("traces/out.hst", "/srv/app/"), "/srv/app/traces/out.hst");
    EXPECT_EQ(inDirectory("/tmp/out.hst", "/srv/app"), "/tmp/out.hst");
    EXPECT_EQ(inDirectory("out.hst", ""), "out.hst");
    EXPECT_EQ(inDirectory("out.hst", "/"), "/out.hst");
}

TEST(TraceNaming, OutputPidWritesTheExactName) {
    Options options;
    options.output = "/tmp/out.hst";
    options.outputPid = 100;
    EXPECT_EQ(tracePath(options, 100), "/tmp/out.hst");
    EXPECT_EQ(tracePath(options, 101), "/tmp/out.101.hst");
    options.output.clear();
    EXPECT_EQ(tracePath(options, 5),
              "heapscope." + std::string(program_invocation_short_name) + ".5.hst");
}

} // namespace
} // namespace heapscope::recorder
