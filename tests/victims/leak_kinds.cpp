// victim `leak_kinds`: every kind of memcheck's leak verdicts, with exact bytes and blocks.
// Ground truth at exit (checked by tests/e2e/leak_scan_test.cpp, and by memcheck there):
//   definitely lost:  3 x malloc(100) forgotten                        -> 300 B in 3 blocks
//                     plus a 48-byte Node whose pointers were forgotten ->  48 B in 1 block
//                     total                                              348 B in 4 blocks
//   indirectly lost:  2 x malloc(200), held only by that lost Node      -> 400 B in 2 blocks
//   possibly lost:    malloc(64), held only by a global pointing 8 bytes into it
//                                                                       ->  64 B in 1 block
//   still reachable:  malloc(512) held by a global, and a list of 3 x 32-byte Nodes from
//                     another global                                    -> 608 B in 4 blocks
// Nothing else is allocated by the program (no stdio: its buffer would be still reachable).
#include <cstdint>
#include <cstdlib>

namespace {

struct Node {
    Node* next;
    void* left;
    void* right;
    char pad[24];
};
static_assert(sizeof(Node) == 48);

struct SmallNode {
    SmallNode* next;
    char pad[24];
};
static_assert(sizeof(SmallNode) == 32);

void* g_reachable = nullptr;
SmallNode* g_list = nullptr;
char* g_interior = nullptr;
// Each lost block passes through here, then the pointer is overwritten.
void* volatile g_sink = nullptr;

} // namespace

__attribute__((noinline)) void victim_definite() {
    for (int i = 0; i < 3; ++i) {
        g_sink = std::malloc(100);
        g_sink = nullptr;
    }
}

__attribute__((noinline)) void victim_indirect() {
    auto* volatile node = static_cast<Node*>(std::malloc(sizeof(Node)));
    node->next = nullptr;
    node->left = std::malloc(200);
    node->right = std::malloc(200);
    node = nullptr;
}

__attribute__((noinline)) void victim_possible() {
    g_interior = static_cast<char*>(std::malloc(64)) + 8;
}

__attribute__((noinline)) void victim_reachable() {
    g_reachable = std::malloc(512);
    for (int i = 0; i < 3; ++i) {
        auto* node = static_cast<SmallNode*>(std::malloc(sizeof(SmallNode)));
        node->next = g_list;
        g_list = node;
    }
}

// Overwrites the stack below the caller, where the victims' dead frames left pointers.
__attribute__((noinline)) void scrubStack() {
    volatile char scratch[8192];
    for (auto& c : scratch)
        c = 0;
}

int main() {
    victim_definite();
    victim_indirect();
    victim_possible();
    victim_reachable();
    scrubStack();
    return 0;
}
