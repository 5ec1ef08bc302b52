""" "Customers also bought" against popularity on the retailer's real orders.

Recall@10 on each customer's last order, both trained only on the lines before it; the
model's parameters are chosen on an inner split of that training period, never on the test
orders. Skips with a message when the data file is absent.

Last line: ``RESULT shop_alsobought_recall10=<x> shop_popularity_recall10=<x>
shop_recs_customers=<n>``.
"""

from __future__ import annotations

import time

from models.also_bought import data_path, evaluate_last_order, load_order_lines


def main() -> None:
    path = data_path()
    if not path.exists():
        print(f"shop recommendations skipped: {path} not found")
        return
    t0 = time.perf_counter()
    lines = load_order_lines(path)
    report = evaluate_last_order(lines, k=10)
    model, pop = report["recall_model"], report["recall_popularity"]
    print(
        f"also-bought: {len(lines)} product lines, {report['customers']} customers; "
        f"recall@10 {model:.4f} vs popularity {pop:.4f} (x{report['ratio']:.2f}) "
        f"in {time.perf_counter() - t0:.0f} s"
    )
    print(
        f"chosen on the inner split (its recall@10 {report['validation_recall']:.4f}): "
        f"{report['params']}"
    )
    print(
        f"RESULT shop_alsobought_recall10={model:.4f} shop_popularity_recall10={pop:.4f} "
        f"shop_recs_customers={report['customers']}"
    )


if __name__ == "__main__":
    main()
