#!/usr/bin/env python3
# bench W3 (sqlite3): writes the SQL script the sqlite3 shell runs as a workload: a bulk insert in
# one transaction, an index, then aggregate queries. Deterministic for a given --scale.
import argparse
import random
import sys

ROWS_AT_SCALE_1 = 120_000
CUSTOMERS = 5_000
ITEMS = ["bolt", "nut", "washer", "gear", "spring", "valve", "pump", "hose", "seal", "clamp"]


def write_script(out, scale):
    rng = random.Random(7)
    rows = max(1, int(ROWS_AT_SCALE_1 * scale))
    out.write("CREATE TABLE orders(id INTEGER PRIMARY KEY, customer TEXT, item TEXT,"
              " qty INTEGER, price REAL, note TEXT);\nBEGIN;\n")
    for row in range(rows):
        customer = f"customer-{rng.randrange(CUSTOMERS):05d}"
        item = rng.choice(ITEMS)
        note = "x" * rng.randrange(0, 60)
        out.write(f"INSERT INTO orders VALUES({row},'{customer}','{item}',"
                  f"{rng.randrange(1, 100)},{rng.uniform(0.5, 500):.2f},'{note}');\n")
    out.write("COMMIT;\n"
              "CREATE INDEX orders_customer ON orders(customer);\n"
              "SELECT customer, count(*), sum(qty * price) FROM orders GROUP BY customer"
              " ORDER BY 3 DESC LIMIT 10;\n"
              "SELECT item, avg(price), max(qty), group_concat(DISTINCT substr(customer, -2))"
              " FROM orders GROUP BY item;\n"
              "SELECT o.customer, count(*) FROM orders o JOIN orders p ON o.customer = p.customer"
              " AND p.id = o.id + 1 GROUP BY o.customer ORDER BY 2 DESC LIMIT 5;\n"
              "SELECT count(DISTINCT note), sum(length(note)) FROM orders;\n"
              "UPDATE orders SET note = note || item WHERE qty % 7 = 0;\n"
              "DELETE FROM orders WHERE price < 50;\n"
              "SELECT count(*), total(price) FROM orders;\n")


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--scale", type=float, default=1.0)
    args = parser.parse_args()
    write_script(sys.stdout, args.scale)


if __name__ == "__main__":
    main()
