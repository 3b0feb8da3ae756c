#!/usr/bin/env python3
# bench W3 (python3): an interpreter workload for the recorder: dicts, lists, strings and JSON
# round trips, the allocation mix of a typical Python service. Deterministic for a given --scale.
import argparse
import json
import random

ROUNDS_AT_SCALE_1 = 20
RECORDS_PER_ROUND = 4_000


def make_records(rng, count):
    return [{"id": i,
             "name": "user-%06d" % rng.randrange(1_000_000),
             "tags": [rng.choice("abcdefgh") * rng.randrange(1, 6) for _ in range(4)],
             "score": rng.random() * 100,
             "active": rng.random() < 0.5}
            for i in range(count)]


def one_round(rng):
    records = make_records(rng, RECORDS_PER_ROUND)
    by_tag = {}
    for record in records:
        for tag in record["tags"]:
            by_tag.setdefault(tag, []).append(record["id"])
    text = json.dumps(records)
    decoded = json.loads(text)
    words = " ".join(r["name"] for r in decoded).upper().split()
    ranked = sorted(decoded, key=lambda r: (r["active"], r["score"]), reverse=True)
    return len(text) + len(words) + len(by_tag) + ranked[0]["id"]


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--scale", type=float, default=1.0)
    args = parser.parse_args()
    rng = random.Random(11)
    rounds = max(1, round(ROUNDS_AT_SCALE_1 * args.scale))
    print("w3_python:", sum(one_round(rng) for _ in range(rounds)))


if __name__ == "__main__":
    main()
