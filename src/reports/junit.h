// reports: JUnit XML for CI dashboards: one test suite, one test case per gate (a budget of
// `check`, a tracked figure of `diff`), failed when the gate broke.
#pragma once

#include <string>
#include <vector>

namespace heapscope::reports {

struct JunitCase {
    std::string name;
    std::string message; // what was measured against what
    bool passed = true;
};

std::string junitXml(const std::string& suite, const std::vector<JunitCase>& cases);

} // namespace heapscope::reports
