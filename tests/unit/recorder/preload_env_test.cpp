// tests/unit/recorder: removal of the recorder from LD_PRELOAD (programs started with exec are
// not traced unless asked).
#include <gtest/gtest.h>

#include <string>

#include "recorder/preload_env.h"

namespace heapscope::recorder {
namespace {

std::string stripped(std::string value) {
    stripRecorderEntries(value.data());
    return value.c_str();
}

TEST(PreloadEnv, RemovesOnlyTheRecorder) {
    EXPECT_EQ(stripped("/opt/hs/lib/libheapscope.so"), "");
    EXPECT_EQ(stripped("/a/libheapscope.so:/b/libx.so"), "/b/libx.so");
    EXPECT_EQ(stripped("liba.so libheapscope.so.0  libb.so"), "liba.so:libb.so");
    EXPECT_EQ(stripped("/x/libheapscopeish/liby.so"), "/x/libheapscopeish/liby.so");
    EXPECT_EQ(stripped("liba.so"), "liba.so");
    EXPECT_EQ(stripped(""), "");
}

} // namespace
} // namespace heapscope::recorder
