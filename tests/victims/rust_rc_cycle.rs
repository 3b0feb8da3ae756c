// victim `rust_rc_cycle` (std only, built with rustc -g -C opt-level=0): the Rc cycle leak of
// a trading strategy and its manager (each holds an Rc of the other), the pattern every Rust
// leak guide starts with.
// Ground truth at exit (checked by tests/e2e/leak_scan_test.cpp, and by memcheck there), on
// x86-64: four blocks, all lost, 111 bytes:
//   RcBox<TradingStrategy> 56 B (counts 16, String 24, RefCell<Option<Rc>> 16),
//   its name "Scalper" 7 B, RcBox<StrategyManager> 40 B (counts 16, Vec 24), the Vec's
//   buffer of one Rc 8 B.
//   Memcheck's rules make the first of them in address order that reaches the others
//   definitely lost and the rest indirectly lost through it; nothing is possibly lost.
// The program prints nothing (stdout's buffer would be one more, still reachable, block).
use std::cell::RefCell;
use std::hint::black_box;
use std::rc::Rc;

struct TradingStrategy {
    name: String,
    manager: RefCell<Option<Rc<StrategyManager>>>,
}

struct StrategyManager {
    strategies: Vec<Rc<TradingStrategy>>,
}

#[inline(never)]
fn create_leak() -> usize {
    let strategy = Rc::new(TradingStrategy {
        name: "Scalper".to_string(),
        manager: RefCell::new(None),
    });
    let manager = Rc::new(StrategyManager {
        strategies: vec![Rc::clone(&strategy)],
    });
    *strategy.manager.borrow_mut() = Some(Rc::clone(&manager));
    strategy.name.len() + manager.strategies.len()
}

#[inline(never)]
fn scrub_stack() {
    let scratch = [0u8; 8192];
    black_box(&scratch);
}

fn main() {
    let n = black_box(create_leak());
    scrub_stack();
    std::process::exit(if n == 8 { 0 } else { 1 });
}
