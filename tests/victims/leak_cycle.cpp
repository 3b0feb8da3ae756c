// victim `leak_cycle`: a cycle of three lost blocks, and a reachable cycle for contrast.
// Ground truth at exit (checked by tests/e2e/leak_scan_test.cpp, and by memcheck there):
//   lost cycle A -> B -> C -> A, 3 x malloc(80), nothing else points to them:
//     definitely lost 80 B in 1 block (the one at the lowest address), indirectly lost
//     160 B in 2 blocks, both owned by it;
//   reachable cycle D -> E -> D, 2 x malloc(80), a global points to D: still reachable
//     160 B in 2 blocks.
#include <cstdlib>

namespace {

struct Link {
    Link* next;
    char pad[72];
};
static_assert(sizeof(Link) == 80);

Link* g_kept = nullptr;

Link* newLink() { return static_cast<Link*>(std::malloc(sizeof(Link))); }

} // namespace

__attribute__((noinline)) void victim_lost_cycle() {
    Link* a = newLink();
    Link* b = newLink();
    Link* c = newLink();
    a->next = b;
    b->next = c;
    c->next = a;
}

__attribute__((noinline)) void victim_kept_cycle() {
    Link* d = newLink();
    Link* e = newLink();
    d->next = e;
    e->next = d;
    g_kept = d;
}

__attribute__((noinline)) void scrubStack() {
    volatile char scratch[8192];
    for (auto& c : scratch)
        c = 0;
}

int main() {
    victim_lost_cycle();
    victim_kept_cycle();
    scrubStack();
    return 0;
}
