// reports: assembling the HTML pages from the embedded assets and the page data.
#include "reports/report_html.h"

#include <fmt/format.h>

#include "reports/markup.h"
#include "reports/report_data.h"
#include "reports/web_assets.h"

namespace heapscope::reports {
namespace {

// A strict policy as a second line of defence: only the page's own inline scripts and styles
// run, and nothing is loaded from anywhere.
constexpr std::string_view kPolicy =
    "default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; img-src data:";

std::string page(const std::string& title, const nlohmann::ordered_json& data, bool chart) {
    std::string out =
        fmt::format("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
                    "<meta http-equiv=\"Content-Security-Policy\" content=\"{}\">\n"
                    "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
                    "<title>{}</title>\n<style>\n{}\n</style>\n",
                    kPolicy, xmlEscape(title), web::pageCss());
    if (chart) out += fmt::format("<style>\n{}\n</style>\n", web::uplotCss());
    out += fmt::format("</head>\n<body>\n<main id=\"page\"></main>\n"
                       "<script type=\"application/json\" id=\"heapscope-data\">{}</script>\n",
                       scriptJson(data));
    if (chart) out += fmt::format("<script>\n{}\n</script>\n", web::uplotJs());
    out += fmt::format("<script>\n{}\n</script>\n<script>\n{}\n</script>\n</body>\n</html>\n",
                       web::flameJs(), web::pageJs());
    return out;
}

} // namespace

std::string reportHtml(const analysis::Model& model, const StackResolver& resolve) {
    const auto data = pageData(model, resolve, PageSections{});
    return page("heapscope report: " + data.at("title").get<std::string>(), data, true);
}

std::string flamegraphHtml(const analysis::Model& model, const StackResolver& resolve,
                           std::string_view metric) {
    auto data =
        pageData(model, resolve, PageSections{.timeline = false, .flame = true, .tables = false});
    data["initial_metric"] = metric;
    return page("heapscope flame graph: " + data.at("title").get<std::string>(), data, false);
}

} // namespace heapscope::reports
