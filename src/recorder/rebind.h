// recorder: pointing a deep-bound library's references to hooked functions back at the hooks.
// RTLD_DEEPBIND makes the loader bind a library's malloc, free and the rest to its own
// dependencies' (the C library's) instead of the first definition in the process, the
// recorder's; the slots it filled in are rewritten.
#pragma once

namespace heapscope::recorder {

// For the object of handle and every object loaded after it: each PLT or GOT slot of a symbol
// whose first definition in the process is the recorder's, and which holds the definition next
// after the recorder's (the C library's), or for handle's own object a slot not yet bound, is
// set to the recorder's. A slot in read-only memory (RELRO) is made writable for the write.
void rebindToHooks(void* handle) noexcept;

} // namespace heapscope::recorder
