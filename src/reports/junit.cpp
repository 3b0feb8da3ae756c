// reports: JUnit XML.
#include "reports/junit.h"

#include <algorithm>

#include <fmt/format.h>

#include "reports/markup.h"

namespace heapscope::reports {

std::string junitXml(const std::string& suite, const std::vector<JunitCase>& cases) {
    const auto failures =
        std::count_if(cases.begin(), cases.end(), [](const JunitCase& c) { return !c.passed; });
    std::string out = fmt::format(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
        "<testsuites name=\"heapscope\" tests=\"{1}\" failures=\"{2}\" errors=\"0\">\n"
        "  <testsuite name=\"{0}\" tests=\"{1}\" failures=\"{2}\" errors=\"0\" skipped=\"0\">\n",
        xmlEscape(suite), cases.size(), failures);
    for (const auto& c : cases) {
        out += fmt::format("    <testcase classname=\"{}\" name=\"{}\"", xmlEscape(suite),
                           xmlEscape(c.name));
        if (c.passed) {
            out += fmt::format(">\n      <system-out>{}</system-out>\n    </testcase>\n",
                               xmlEscape(c.message));
        } else {
            out += fmt::format(">\n      <failure message=\"{0}\" type=\"budget\">{0}</failure>\n"
                               "    </testcase>\n",
                               xmlEscape(c.message));
        }
    }
    out += "  </testsuite>\n</testsuites>\n";
    return out;
}

} // namespace heapscope::reports
