// tests (analysis): demangling of C++ and Rust (legacy and v0) names. The Rust names were
// produced with rustc 1.95 from a small crate `inventory` (legacy: the default mangling; v0:
// -C symbol-mangling-version=v0); the C++ one with g++ 12 from a template in a namespace.
#include <gtest/gtest.h>

#include "analysis/symbolizer.h"

namespace heapscope::analysis::test {
namespace {

TEST(Demangle, CppTemplateInNamespace) {
    EXPECT_EQ(demangle("_ZN5store5CacheIlE3putERKNSt7__cxx1112basic_stringIcSt11char_traitsIcESaIc"
                       "EEEl"),
              "store::Cache<long>::put(std::__cxx11::basic_string<char, std::char_traits<char>, "
              "std::allocator<char> > const&, long)");
}

TEST(Demangle, RustLegacyDropsTheHash) {
    EXPECT_EQ(demangle("_ZN9inventory6shapes6Circle4area17hbab15851a504e614E"),
              "inventory::shapes::Circle::area");
    EXPECT_EQ(demangle("_ZN9inventory11make_buffer17h5ea4bb6bbaa38045E"), "inventory::make_buffer");
}

TEST(Demangle, RustV0) {
    EXPECT_EQ(demangle("_RNvMNtCs70dDiJaxP7o_9inventory6shapesNtB2_6Circle4area"),
              "<inventory::shapes::Circle>::area");
    EXPECT_EQ(demangle("_RINvCs70dDiJaxP7o_9inventory7largestmEB2_"), "inventory::largest::<u32>");
}

TEST(Demangle, PlainNamesStayAsTheyAre) {
    EXPECT_EQ(demangle("main"), "main");
    EXPECT_EQ(demangle("malloc"), "malloc");
    EXPECT_EQ(demangle(""), "");
}

} // namespace
} // namespace heapscope::analysis::test
