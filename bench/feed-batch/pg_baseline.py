"""The PostgreSQL baselines of the feed bench, as SQL scripts for psql (each one transaction).

usage: python3 pg_baseline.py OUT_DIR ROWS PAYLOAD_BYTES LOCATION [LOCATION ...]
Writes, for ROWS rows shaped like the bench's batch (location i % n, SKU i // n):
  storage-new.sql / storage-update.sql  the product's own row write: ROWS calls of writetostorage() (the function the
                                        Orleans ADO.NET provider and the group commit call), first write (version NULL)
                                        then an update of each (version 1), in transactions of 1,000 rows (one
                                        transaction of 100,000 exceeds max_locks_per_transaction: the function
                                        takes an advisory lock per row), about what group commit's batches are;
  feed.csv, feed-update.csv             the rows as a relational OMS would take them (location, sku, on hand, safety,
                                        asOf), for COPY into a staging table and one INSERT ... ON CONFLICT upsert with
                                        the same last-writer-wins-by-asOf rule (relational-*.sql).
"""
import os
import random
import sys

out, rows, payload, locations = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), sys.argv[4:]
n = len(locations)
blob = "\\x" + "ab" * payload
rnd = random.Random(7)
PER_TRANSACTION = 1000
hashes = [rnd.randint(-2**31, 2**31 - 1) for _ in range(rows)]


def storage(path, version):
    with open(path, "w") as f:
        f.write("\\set ON_ERROR_STOP 1\n")
        for i in range(rows):
            if i % PER_TRANSACTION == 0:
                f.write("BEGIN;\n" if i == 0 else "COMMIT;\nBEGIN;\n")
            key = f"{locations[i % n]}|PGSKU-{i // n:06d}"
            f.write(f"SELECT writetostorage({hashes[i]}, 0, 0, 12345, 'stock', '{key}', 'oms-baseline', {version}, '{blob}');\n")
        f.write("COMMIT;\n")


def feed(path, as_of):
    with open(path, "w") as f:
        for i in range(rows):
            f.write(f"{locations[i % n]},PGSKU-{i // n:06d},{(i * 7919) % 500},2,{as_of}\n")


storage(os.path.join(out, "storage-new.sql"), "NULL")
storage(os.path.join(out, "storage-update.sql"), "1")
feed(os.path.join(out, "feed.csv"), "2026-01-01T00:00:00Z")
feed(os.path.join(out, "feed-update.csv"), "2026-01-02T00:00:00Z")
