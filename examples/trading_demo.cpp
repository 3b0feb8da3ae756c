// examples: a small trading simulation with the memory habits heapscope is made to find: an
// order history that grows without bound (freed only at exit), a per-symbol price aggregator
// with bounded rolling windows, and temporary strings built for every order and dropped.
#include <cstdint>
#include <cstdio>
#include <deque>
#include <map>
#include <string>
#include <unordered_map>
#include <vector>

namespace {

constexpr int kOrders = 200000;
constexpr std::size_t kOpenOrders = 64;    // orders older than this are executed
constexpr std::size_t kPriceWindow = 1000; // prices kept per symbol
constexpr std::size_t kSmaPeriod = 200;
constexpr const char* kSymbols[] = {"BTCUSDT", "ETHUSDT", "SOLUSDT", "BNBUSDT", "XRPUSDT"};

struct Order {
    std::uint64_t id = 0;
    std::string symbol;
    double price = 0;
    double quantity = 0;
    std::uint64_t timestamp = 0;
    std::unordered_map<std::string, std::string> metadata;
};

Order makeOrder(std::uint64_t id, const char* symbol, double price, double quantity) {
    Order order{id, symbol, price, quantity, id * 1000, {}};
    order.metadata.emplace("source", "api");
    order.metadata.emplace("status", "pending");
    return order;
}

// The open book stays small; the history keeps every order it ever saw and is never trimmed.
class OrderBook {
  public:
    // Out of line so that reports name it: inlined at -O2, the vector's growth would be
    // attributed to main alone.
    [[gnu::noinline]] void addOrder(Order order) {
        m_open.push_back(order);
        m_history.push_back(std::move(order));
    }

    // Executes the oldest open order, as the matching engine of the simulation.
    void executeOldest() {
        if (!m_open.empty()) {
            m_notional += m_open.front().price * m_open.front().quantity;
            m_open.pop_front();
        }
    }

    [[nodiscard]] std::size_t openOrders() const { return m_open.size(); }
    [[nodiscard]] std::size_t historySize() const { return m_history.size(); }
    [[nodiscard]] double notional() const { return m_notional; }

  private:
    std::deque<Order> m_open;
    std::vector<Order> m_history;
    double m_notional = 0;
};

// Prices per symbol in a bounded rolling window.
class PriceAggregator {
  public:
    void addPrice(const std::string& symbol, double price) {
        auto& window = m_windows[symbol];
        if (window.size() >= kPriceWindow) {
            window.pop_front();
        }
        window.push_back(price);
    }

    [[nodiscard]] double sma(const std::string& symbol, std::size_t period) const {
        const auto found = m_windows.find(symbol);
        if (found == m_windows.end() || found->second.empty()) {
            return 0;
        }
        const auto& window = found->second;
        const std::size_t count = std::min(period, window.size());
        double sum = 0;
        for (auto it = window.end() - static_cast<std::ptrdiff_t>(count); it != window.end();
             ++it) {
            sum += *it;
        }
        return sum / static_cast<double>(count);
    }

    [[nodiscard]] std::size_t symbols() const { return m_windows.size(); }

  private:
    std::map<std::string, std::deque<double>> m_windows;
};

// A log line per order that nobody keeps: the temporary allocations of the run.
std::size_t describeOrder(const Order& order) {
    const std::string line = "order " + std::to_string(order.id) + " " + order.symbol + " @ " +
                             std::to_string(order.price) + " x " + std::to_string(order.quantity);
    return line.size();
}

} // namespace

int main() {
    OrderBook book;
    PriceAggregator prices;
    std::size_t logBytes = 0;
    double smaSum = 0;
    std::printf("trading_demo: simulating %d orders on %zu symbols\n", kOrders,
                std::size(kSymbols));
    for (int i = 0; i < kOrders; ++i) {
        const char* symbol = kSymbols[i % std::size(kSymbols)];
        const double price = 50000.0 + i * 0.01;
        Order order = makeOrder(static_cast<std::uint64_t>(i), symbol, price, 0.1 + i * 0.001);
        logBytes += describeOrder(order);
        prices.addPrice(order.symbol, order.price);
        smaSum += prices.sma(order.symbol, kSmaPeriod);
        book.addOrder(std::move(order));
        if (book.openOrders() > kOpenOrders) {
            book.executeOldest();
        }
    }
    std::printf("open orders: %zu, history: %zu orders (%zu KiB of Order records)\n",
                book.openOrders(), book.historySize(), book.historySize() * sizeof(Order) / 1024);
    std::printf("symbols tracked: %zu, mean SMA(%zu): %.2f\n", prices.symbols(), kSmaPeriod,
                smaSum / kOrders);
    std::printf("executed notional: %.0f, log bytes formatted: %zu\n", book.notional(), logBytes);
    return 0;
}
