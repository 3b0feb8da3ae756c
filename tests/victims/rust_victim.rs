// victim `rust_victim` (std only, built with rustc -g -C opt-level=0): Rust allocations and
// demangled Rust names.
// Ground truth (checked by tests/e2e/rust_test.cpp):
//   rust_victim::make_boxes: 300 x Box<[u8; 256]> -> 300 allocations, 76800 bytes;
//   40 of them leaked with mem::forget -> 10240 bytes leaked; the rest dropped.
use std::hint::black_box;

const BOXES: usize = 300;
const LEAKED: usize = 40;

#[inline(never)]
fn make_boxes(count: usize, into: &mut Vec<Box<[u8; 256]>>) {
    for i in 0..count {
        let mut boxed = Box::new([0u8; 256]);
        boxed[i % 256] = 1;
        into.push(boxed);
    }
}

#[inline(never)]
fn leak_boxes(count: usize, from: &mut Vec<Box<[u8; 256]>>) {
    for _ in 0..count {
        if let Some(boxed) = from.pop() {
            std::mem::forget(black_box(boxed));
        }
    }
}

fn main() {
    // The vector is sized up front so that make_boxes allocates the boxes and nothing else.
    let mut boxes: Vec<Box<[u8; 256]>> = Vec::with_capacity(BOXES);
    make_boxes(BOXES, &mut boxes);
    leak_boxes(LEAKED, &mut boxes);
    println!("rust_victim: {} boxes kept", black_box(boxes.len()));
}
