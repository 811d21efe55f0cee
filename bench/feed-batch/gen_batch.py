"""Writes a POST /v1/inventory/batch body: ROWS rows, distinct location x SKU, one asOf (RFC 3339, Z).

usage: python3 gen_batch.py OUT.json ROWS AS_OF LOCATION [LOCATION ...]
Row i goes to location i % len(locations) and SKU i // len(locations): every pair is distinct, and each SKU is
stocked at every location (so one availability view receives one push per location).
"""
import json
import os
import sys

out, rows, as_of, locations = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4:]
n = len(locations)
prefix = os.environ.get("SKU_PREFIX", "BSKU-")  # the warm-up batch uses other SKUs
shift = int(os.environ.get("ONHAND_SHIFT", "0"))  # > 0: an update batch that changes every level
with open(out, "w") as f:
    f.write('{"items":[')
    for i in range(rows):
        if i:
            f.write(",")
        f.write(json.dumps({
            "locationId": locations[i % n],
            "sku": f"{prefix}{i // n:06d}",
            "onHand": (i * 7919 + shift) % 500,
            "safetyStock": 2,
            "asOf": as_of,
        }, separators=(",", ":")))
    f.write("]}")
