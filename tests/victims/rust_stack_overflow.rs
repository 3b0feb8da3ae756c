// Rust victim `rust_stack_overflow`: recursion without end on the main thread. Rust's own
// SIGSEGV handler, running on a signal stack, prints "thread 'main' has overflowed its stack"
// and aborts.
// Ground truth (checked by tests/e2e/leak_scan_test.cpp): the program dies by SIGABRT with the
// same output, with and without heapscope; the 1234-byte box held by main's frame, below which
// the stack overflowed, is still reachable, and the leak totals are memcheck's.
use std::hint::black_box;

#[allow(unconditional_recursion)] // it ends when the stack does
fn descend(depth: u64) -> u64 {
    let frame = black_box([depth; 32]);
    black_box(descend(depth + 1)) + frame[(depth % 32) as usize]
}

fn main() {
    let held = Box::new([7u8; 1234]);
    println!("rust_stack_overflow: descending from {}", held[0]);
    println!("{}", descend(0));
    drop(held);
}
