// e2e support: the headless Chromium driver. The DevTools protocol on --remote-debugging-pipe is
// JSON messages ended by a NUL byte: Chromium reads commands on fd 3 and writes on fd 4.
#include "browser.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <stdexcept>

#include "dom_text.h"

namespace heapscope::e2e {
namespace {

// Only a hung browser reaches it; a page of the tests loads in well under a second.
constexpr std::chrono::seconds kReplyTimeout{120};

std::string base64Decode(const std::string& text) {
    auto value = [](char c) -> int {
        if (c >= 'A' && c <= 'Z') return c - 'A';
        if (c >= 'a' && c <= 'z') return c - 'a' + 26;
        if (c >= '0' && c <= '9') return c - '0' + 52;
        if (c == '+') return 62;
        if (c == '/') return 63;
        return -1;
    };
    std::string out;
    unsigned bits = 0;
    int count = 0;
    for (const char c : text) {
        const int v = value(c);
        if (v < 0) continue;
        bits = (bits << 6) | static_cast<unsigned>(v);
        count += 6;
        if (count >= 8) {
            count -= 8;
            out += static_cast<char>((bits >> count) & 0xFF);
        }
    }
    return out;
}

std::string remoteObjectText(const nlohmann::json& object) {
    if (object.contains("value")) {
        const auto& value = object["value"];
        return value.is_string() ? value.get<std::string>() : value.dump();
    }
    return object.value("description", object.value("type", std::string("?")));
}

} // namespace

Browser::Browser() {
    const auto binary = chromiumBinary();
    if (!binary) throw std::runtime_error("chromium is not installed");
    int commands[2];
    int replies[2];
    if (pipe2(commands, O_CLOEXEC) != 0 || pipe2(replies, O_CLOEXEC) != 0)
        throw std::runtime_error(std::string("pipe: ") + std::strerror(errno));
    const std::string profile = m_profile.path().string();
    const std::vector<std::string> args = {*binary,
                                           "--headless",
                                           "--no-sandbox",
                                           "--disable-gpu",
                                           "--no-first-run",
                                           "--remote-debugging-pipe",
                                           "--user-data-dir=" + profile,
                                           "about:blank"};
    const std::string log = m_profile.file("chromium.log");
    m_pid = fork();
    if (m_pid < 0) throw std::runtime_error(std::string("fork: ") + std::strerror(errno));
    if (m_pid == 0) {
        // Its own session, so the destructor can end the renderer processes with it.
        setsid();
        const int logFd = ::open(log.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
        const int nullFd = ::open("/dev/null", O_RDONLY);
        // Moved out of the way first: a pipe end may itself be fd 3 or 4, and dup2 onto itself
        // would leave its close-on-exec flag set.
        const int in = fcntl(commands[0], F_DUPFD_CLOEXEC, 10);
        const int out = fcntl(replies[1], F_DUPFD_CLOEXEC, 10);
        if (logFd < 0 || nullFd < 0 || in < 0 || out < 0 || dup2(nullFd, 0) < 0 ||
            dup2(logFd, 1) < 0 || dup2(logFd, 2) < 0 || dup2(in, 3) < 0 || dup2(out, 4) < 0)
            _exit(127);
        std::vector<char*> argv;
        for (const auto& arg : args)
            argv.push_back(const_cast<char*>(arg.c_str()));
        argv.push_back(nullptr);
        setenv("HOME", profile.c_str(), 1);
        execv(argv[0], argv.data());
        _exit(127);
    }
    close(commands[0]);
    close(replies[1]);
    m_toBrowser = commands[1];
    m_fromBrowser = replies[0];

    const auto target = call("Target.createTarget", {{"url", "about:blank"}}, false);
    const auto attached = call("Target.attachToTarget",
                               {{"targetId", target.at("targetId")}, {"flatten", true}}, false);
    m_session = attached.at("sessionId").get<std::string>();
    call("Page.enable", nlohmann::json::object());
    call("Runtime.enable", nlohmann::json::object());
    call("Log.enable", nlohmann::json::object());
    call("Emulation.setDeviceMetricsOverride",
         {{"width", 1280}, {"height", 1000}, {"deviceScaleFactor", 1}, {"mobile", false}});
}

Browser::~Browser() {
    if (m_toBrowser >= 0) {
        try {
            call("Browser.close", nlohmann::json::object(), false);
        } catch (const std::exception&) {
            // It is going away in any case: the group is killed below.
        }
        close(m_toBrowser);
    }
    if (m_fromBrowser >= 0) close(m_fromBrowser);
    if (m_pid > 0) {
        kill(-m_pid, SIGKILL);
        int status = 0;
        waitpid(m_pid, &status, 0);
    }
}

void Browser::open(const std::string& path) {
    m_errors.clear();
    m_loaded = false;
    const std::string url = "file://" + std::filesystem::absolute(path).string();
    const auto result = call("Page.navigate", {{"url", url}});
    if (result.contains("errorText"))
        throw std::runtime_error("cannot load " + url + ": " +
                                 result["errorText"].get<std::string>());
    while (!m_loaded)
        handleEvent(readMessage());
}

nlohmann::json Browser::evaluate(const std::string& expression) {
    const auto result =
        call("Runtime.evaluate",
             {{"expression", expression}, {"returnByValue", true}, {"awaitPromise", true}});
    if (result.contains("exceptionDetails")) {
        const auto& details = result["exceptionDetails"];
        throw std::runtime_error("JavaScript threw: " +
                                 (details.contains("exception")
                                      ? remoteObjectText(details["exception"])
                                      : details.value("text", std::string("?"))));
    }
    return result.at("result").value("value", nlohmann::json());
}

void Browser::screenshot(const std::string& pngPath) {
    const auto metrics = call("Page.getLayoutMetrics", nlohmann::json::object());
    const auto& size = metrics.at("cssContentSize");
    const auto result = call("Page.captureScreenshot", {{"format", "png"},
                                                        {"captureBeyondViewport", true},
                                                        {"clip",
                                                         {{"x", 0},
                                                          {"y", 0},
                                                          {"width", size.at("width")},
                                                          {"height", size.at("height")},
                                                          {"scale", 1}}}});
    std::ofstream out(pngPath, std::ios::binary | std::ios::trunc);
    out << base64Decode(result.at("data").get<std::string>());
    if (!out) throw std::runtime_error("cannot write " + pngPath);
}

nlohmann::json Browser::call(const std::string& method, nlohmann::json params, bool toTab) {
    const int id = m_nextId++;
    nlohmann::json message = {{"id", id}, {"method", method}, {"params", std::move(params)}};
    if (toTab) message["sessionId"] = m_session;
    std::string text = message.dump();
    text += '\0';
    for (std::size_t done = 0; done < text.size();) {
        const ssize_t n = write(m_toBrowser, text.data() + done, text.size() - done);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) throw std::runtime_error("chromium closed its pipe (" + method + ")");
        done += static_cast<std::size_t>(n);
    }
    for (;;) {
        nlohmann::json reply = readMessage();
        if (reply.value("id", 0) != id) {
            handleEvent(reply);
            continue;
        }
        if (reply.contains("error"))
            throw std::runtime_error(method + " failed: " + reply["error"].dump());
        return reply.value("result", nlohmann::json::object());
    }
}

nlohmann::json Browser::readMessage() {
    const auto deadline = std::chrono::steady_clock::now() + kReplyTimeout;
    for (;;) {
        const auto end = m_buffer.find('\0');
        if (end != std::string::npos) {
            const std::string text = m_buffer.substr(0, end);
            m_buffer.erase(0, end + 1);
            return nlohmann::json::parse(text);
        }
        const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
            deadline - std::chrono::steady_clock::now());
        if (left.count() <= 0) throw std::runtime_error("chromium did not answer in time");
        pollfd fd{m_fromBrowser, POLLIN, 0};
        if (poll(&fd, 1, static_cast<int>(left.count())) <= 0) continue;
        char chunk[65536];
        const ssize_t n = read(m_fromBrowser, chunk, sizeof chunk);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0)
            throw std::runtime_error("chromium exited; see " + m_profile.file("chromium.log"));
        m_buffer.append(chunk, static_cast<std::size_t>(n));
    }
}

void Browser::handleEvent(const nlohmann::json& message) {
    const std::string method = message.value("method", std::string());
    const auto& params = message.contains("params") ? message["params"] : nlohmann::json::object();
    if (method == "Page.loadEventFired") {
        m_loaded = true;
    } else if (method == "Runtime.exceptionThrown") {
        const auto& details = params.at("exceptionDetails");
        m_errors.push_back("uncaught: " + (details.contains("exception")
                                               ? remoteObjectText(details["exception"])
                                               : details.value("text", std::string("?"))));
    } else if (method == "Runtime.consoleAPICalled") {
        const std::string type = params.value("type", std::string());
        if (type != "error" && type != "assert") return;
        std::string line = "console." + type + ":";
        for (const auto& arg : params.value("args", nlohmann::json::array()))
            line += " " + remoteObjectText(arg);
        m_errors.push_back(line);
    } else if (method == "Log.entryAdded") {
        const auto& entry = params.at("entry");
        if (entry.value("level", std::string()) == "error")
            m_errors.push_back("log: " + entry.value("text", std::string()) + " " +
                               entry.value("url", std::string()));
    }
}

} // namespace heapscope::e2e
