#!/usr/bin/python3
"""Reads a result file with analysis/fedload_h5.py and compares it with what the C++ test wrote.

usage: io_python_check.py SOURCE_DIR RESULT.h5 EXPECTED.json
EXPECTED.json: {"status", "attrs": {name: value}, "tables": {table: {column: values}},
"arrays": {name: values}}, category columns as label lists. Prints what was read as JSON and
every mismatch; exits 1 on any mismatch.
"""
import json
import sys

import numpy as np


def plain(value):
    if isinstance(value, np.ndarray):
        return value.tolist()
    return value


def main(source_dir, path, expected_path):
    sys.path.insert(0, f"{source_dir}/analysis")
    import fedload_h5

    result = fedload_h5.load(path)
    with open(expected_path) as f:
        expected = json.load(f)
    read = {"status": result["status"], "attrs": result["attrs"],
            "tables": {t: {c: plain(v) for c, v in cols.items()} for t, cols in result["tables"].items()},
            "arrays": {a: plain(v) for a, v in result["arrays"].items()}}
    print(json.dumps(read, indent=1))

    problems = []
    if read["status"] != expected["status"]:
        problems.append(f"status {read['status']!r} != {expected['status']!r}")
    for name, value in expected["attrs"].items():
        if read["attrs"].get(name) != value:
            problems.append(f"attribute {name}: {read['attrs'].get(name)!r} != {value!r}")
    for table, columns in expected["tables"].items():
        if list(read["tables"].get(table, {})) != list(columns):
            problems.append(f"table {table} columns {list(read['tables'].get(table, {}))} != {list(columns)}")
            continue
        for column, values in columns.items():
            # exact: float32 values were written as the doubles they widen to
            if read["tables"][table][column] != values:
                problems.append(f"{table}/{column}: {read['tables'][table][column]} != {values}")
    for name, values in expected["arrays"].items():
        if read["arrays"].get(name) != values:
            problems.append(f"array {name}: {read['arrays'].get(name)} != {values}")
    for p in problems:
        print("MISMATCH", p)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(*sys.argv[1:4]))
