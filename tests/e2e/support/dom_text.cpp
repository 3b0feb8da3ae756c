// e2e support: the text of a local HTML page as headless Chromium renders it.
#include "dom_text.h"

#include <filesystem>
#include <stdexcept>

#include "heapscope_cli.h"
#include "process.h"

namespace heapscope::e2e {
namespace {

void replaceAll(std::string& text, std::string_view from, std::string_view to) {
    for (auto pos = text.find(from); pos != std::string::npos;
         pos = text.find(from, pos + to.size()))
        text.replace(pos, from.size(), to);
}

} // namespace

std::optional<std::string> chromiumBinary() {
    for (const char* path : {"/usr/bin/chromium", "/usr/bin/chromium-browser"}) {
        if (std::filesystem::exists(path)) return std::string(path);
    }
    return std::nullopt;
}

std::string renderedText(const std::string& htmlPath) {
    const auto binary = chromiumBinary();
    if (!binary) throw std::runtime_error("chromium is not installed");
    // A profile of its own, so parallel tests and the user's browser do not meet.
    TempDir profile;
    Command command;
    command.argv = {*binary,
                    "--headless",
                    "--no-sandbox",
                    "--disable-gpu",
                    "--allow-file-access-from-files",
                    "--user-data-dir=" + profile.path().string(),
                    "--dump-dom",
                    "file://" + std::filesystem::absolute(htmlPath).string()};
    command.env = {"HOME=" + profile.path().string()};
    const Result result = run(command);
    if (!result.exited() || result.exitCode() != 0 || result.out.empty())
        throw std::runtime_error("chromium failed: " + result.describe());
    std::string text;
    bool inTag = false;
    for (const char c : result.out) {
        if (c == '<') {
            inTag = true;
            text += '\n';
        } else if (c == '>') {
            inTag = false;
        } else if (!inTag) {
            text += c;
        }
    }
    replaceAll(text, "&lt;", "<");
    replaceAll(text, "&gt;", ">");
    replaceAll(text, "&amp;", "&");
    return text;
}

} // namespace heapscope::e2e
