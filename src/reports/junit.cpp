// reports: JUnit XML.
#include "reports/junit.h"

#include <algorithm>

#include <fmt/format.h>

namespace heapscope::reports {
namespace {

std::string escaped(const std::string& text) {
    std::string out;
    for (const char c : text) {
        switch (c) {
        case '&':
            out += "&amp;";
            break;
        case '<':
            out += "&lt;";
            break;
        case '>':
            out += "&gt;";
            break;
        case '"':
            out += "&quot;";
            break;
        case '\'':
            out += "&apos;";
            break;
        default:
            // XML 1.0 allows no other control characters than tab and line breaks.
            if (static_cast<unsigned char>(c) >= 0x20 || c == '\t' || c == '\n' || c == '\r')
                out += c;
        }
    }
    return out;
}

} // namespace

std::string junitXml(const std::string& suite, const std::vector<JunitCase>& cases) {
    const auto failures =
        std::count_if(cases.begin(), cases.end(), [](const JunitCase& c) { return !c.passed; });
    std::string out = fmt::format(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
        "<testsuites name=\"heapscope\" tests=\"{1}\" failures=\"{2}\" errors=\"0\">\n"
        "  <testsuite name=\"{0}\" tests=\"{1}\" failures=\"{2}\" errors=\"0\" skipped=\"0\">\n",
        escaped(suite), cases.size(), failures);
    for (const auto& c : cases) {
        out += fmt::format("    <testcase classname=\"{}\" name=\"{}\"", escaped(suite),
                           escaped(c.name));
        if (c.passed) {
            out += fmt::format(">\n      <system-out>{}</system-out>\n    </testcase>\n",
                               escaped(c.message));
        } else {
            out += fmt::format(">\n      <failure message=\"{0}\" type=\"budget\">{0}</failure>\n"
                               "    </testcase>\n",
                               escaped(c.message));
        }
    }
    out += "  </testsuite>\n</testsuites>\n";
    return out;
}

} // namespace heapscope::reports
