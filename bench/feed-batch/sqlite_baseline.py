"""Baseline for the feed batch: the same rows written straight into SQLite with python3's sqlite3 module.

usage: python3 sqlite_baseline.py SCHEMA_SQL DB_PATH ROWS PAYLOAD_BYTES [PER_ROW_SAMPLE]

The table, unique index and upsert statement are the product's own (grains/Oms.Grains/Storage/sqlite-storage.sql,
the WriteToStorageKey query text the Orleans ADO.NET provider runs), so each row costs what the product's storage
pays at the SQLite level, minus Orleans, serialisation and the grain hops. Journal mode WAL, default synchronous.
  pass 1: ROWS new rows (first write, ETag NULL), ONE transaction
  pass 2: the same ROWS rows updated (ETag = stored version), ONE transaction
  pass 3: the way the product commits: one transaction per row (one WAL commit + fsync each), timed on
          PER_ROW_SAMPLE rows (default 5000) and extrapolated to ROWS; bounded to 120 s.
  pass 4: as pass 3 with PRAGMA synchronous=NORMAL (WAL fsynced at checkpoints only: survives a process crash,
          not a power cut), for comparison; bounded to 60 s.
Prints: BASELINE insert_s=.. update_s=.. per_row_commit_ms=.. per_row_commit_extrapolated_s=.. sample=..
        per_row_normal_ms=.. per_row_normal_extrapolated_s=..
"""
import os
import random
import sqlite3
import sys
import time

schema_path, db_path, rows, payload_bytes = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
sample = int(sys.argv[5]) if len(sys.argv) > 5 else 5000
for suffix in ("", "-wal", "-shm"):
    if os.path.exists(db_path + suffix):
        os.remove(db_path + suffix)

con = sqlite3.connect(db_path, isolation_level=None)
con.executescript(open(schema_path).read())
write_sql = con.execute("SELECT QueryText FROM OrleansQuery WHERE QueryKey = 'WriteToStorageKey'").fetchone()[0]
rnd = random.Random(42)
locations = ["BENCH-1", "BENCH-2", "BENCH-3"]
keys = [f"{locations[i % 3]}|BSKU-{i // 3:06d}" for i in range(rows)]
hashes = [rnd.randint(-2**31, 2**31 - 1) for _ in range(rows)]
payload = os.urandom(payload_bytes)


def params(i, version, key_prefix=""):
    return {
        "GrainIdHash": hashes[i], "GrainIdN0": 0, "GrainIdN1": 0, "GrainTypeHash": 123456789,
        "GrainTypeString": "inventory", "GrainIdExtensionString": key_prefix + keys[i], "ServiceId": "oms",
        "GrainStateVersion": version, "PayloadBinary": payload,
    }


def one_transaction(version):
    started = time.perf_counter()
    con.execute("BEGIN")
    for i in range(rows):
        got = con.execute(write_sql, params(i, version)).fetchall()
        if len(got) != 1:
            raise SystemExit(f"row {i}: the upsert returned {got}")
    con.execute("COMMIT")
    return time.perf_counter() - started


insert_s = one_transaction(None)
update_s = one_transaction(1)

def per_row_commits(prefix, limit_s):
    """One transaction per row, on other keys (new rows), as the product's storage commits them."""
    started = time.perf_counter()
    done = 0
    for i in range(min(sample, rows)):
        con.execute(write_sql, params(i, None, key_prefix=prefix)).fetchall()
        done += 1
        if time.perf_counter() - started > limit_s:
            break
    return (time.perf_counter() - started) / done, done


per_row, done = per_row_commits("X", 120)
con.execute("PRAGMA synchronous=NORMAL")
per_row_normal, _ = per_row_commits("Y", 60)
con.close()
print(f"BASELINE insert_s={insert_s:.3f} update_s={update_s:.3f} per_row_commit_ms={per_row * 1000:.3f} "
      f"per_row_commit_extrapolated_s={per_row * rows:.1f} sample={done} sqlite={sqlite3.sqlite_version} "
      f"per_row_normal_ms={per_row_normal * 1000:.3f} per_row_normal_extrapolated_s={per_row_normal * rows:.1f}")
