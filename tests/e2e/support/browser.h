// e2e support: a small driver for headless Chromium over the DevTools protocol (on a pipe, so no
// port is opened): load a local page, collect its console errors, evaluate JavaScript in it and
// save a screenshot. Tests of the HTML reports use it to see a page as a user would.
#pragma once

#include <string>
#include <sys/types.h>
#include <vector>

#include <nlohmann/json.hpp>

#include "heapscope_cli.h"

namespace heapscope::e2e {

class Browser {
public:
    // Starts Chromium with a fresh profile and one empty tab; throws std::runtime_error when it
    // cannot (see chromiumBinary() in dom_text.h to skip when it is not installed).
    Browser();
    // Closes the browser and everything it started.
    ~Browser();
    Browser(const Browser&) = delete;
    Browser& operator=(const Browser&) = delete;

    // Loads a local file (a path) and waits until its load event fired.
    void open(const std::string& path);
    // The value of a JavaScript expression in the page (a promise is awaited) as JSON; throws
    // std::runtime_error with the exception's text when the expression throws.
    nlohmann::json evaluate(const std::string& expression);
    // Console errors, uncaught exceptions and failed loads of the page since open(), one line
    // each.
    [[nodiscard]] const std::vector<std::string>& errors() const { return m_errors; }
    // Saves a PNG of the whole page.
    void screenshot(const std::string& pngPath);

private:
    // Sends a command to the tab (or the browser when `toTab` is false) and returns its result,
    // handling the events that arrive meanwhile.
    nlohmann::json call(const std::string& method, nlohmann::json params, bool toTab = true);
    nlohmann::json readMessage();
    void handleEvent(const nlohmann::json& message);

    TempDir m_profile;
    pid_t m_pid = -1;
    int m_toBrowser = -1;
    int m_fromBrowser = -1;
    std::string m_buffer;
    int m_nextId = 1;
    std::string m_session;
    bool m_loaded = false;
    std::vector<std::string> m_errors;
};

} // namespace heapscope::e2e
