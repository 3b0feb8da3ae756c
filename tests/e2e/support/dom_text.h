// e2e support: load a local HTML page in headless Chromium, let its scripts run, and read back
// the text of the resulting page (for checking what a real viewer shows).
#pragma once

#include <optional>
#include <string>

namespace heapscope::e2e {

// Chromium's binary, or nothing when it is not installed (the tests then skip).
std::optional<std::string> chromiumBinary();

// The text of the page after its scripts ran: the DOM with its tags removed, one text node per
// line, entities &amp; &lt; &gt; decoded. Throws with Chromium's stderr when it fails.
std::string renderedText(const std::string& htmlPath);

} // namespace heapscope::e2e
