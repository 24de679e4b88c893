#!/usr/bin/python3
"""Read a fedload result file (HDF5) into plain Python structures.

Works with Debian's /usr/bin/python3 (h5py, numpy). A file whose run was killed was never
closed by its writer; HDF5 refuses an ordinary open of such a file, so load() falls back to
SWMR reading, which accepts it. Tables are trimmed to the rows every column holds, and category
columns (int codes + a `labels` attribute) come back as arrays of names.

    python3 analysis/fedload_h5.py FILE     # short summary
"""
import sys

import h5py
import numpy as np

FILE_FORMAT = "fedload-result"
# root attributes the writer owns (everything else is the run's description)
WRITER_ATTRIBUTES = ("file_format", "file_format_version", "status", "tables", "arrays",
                     "final_attribute_names")


def _text(value):
    return value.decode("utf-8") if isinstance(value, bytes) else str(value)


def _plain(value):
    """An attribute as str, int, float or list of str."""
    if isinstance(value, (bytes, str)):
        return _text(value)
    if isinstance(value, np.ndarray):
        if value.dtype.kind in ("O", "S", "U"):
            return [_text(v) for v in value.reshape(-1)]
        return value.tolist()
    if isinstance(value, np.integer):
        return int(value)
    if isinstance(value, np.floating):
        return float(value)
    return value


def _names(attrs, key):
    value = _plain(attrs[key]) if key in attrs else []
    return [value] if isinstance(value, str) else list(value)


def open_file(path):
    """Opens `path` read-only: normally, or in SWMR-read mode for a file its writer never closed.

    Returns (h5py.File, unclosed)."""
    try:
        return h5py.File(path, "r"), False
    except OSError as plain_error:
        try:
            return h5py.File(path, "r", swmr=True), True
        except OSError:
            raise plain_error


def _read_table(group):
    columns = _names(group.attrs, "columns")
    data = {name: group[name][...] for name in columns}
    rows = min((len(v) for v in data.values()), default=0)
    table = {}
    for name in columns:
        values = data[name][:rows]
        labels = _names(group[name].attrs, "labels") if "labels" in group[name].attrs else []
        if labels:
            names = np.array(labels + ["?"], dtype=object)
            codes = np.where((values >= 0) & (values < len(labels)), values, len(labels))
            values = names[codes]
        table[name] = values
    return table


def load(path):
    """The whole result file as {"path", "status", "complete", "unclosed", "attrs", "tables",
    "arrays", "units"}: tables map column names to numpy arrays (names for category columns),
    arrays map names to numpy arrays, units map "table/column" or array names to unit text."""
    f, unclosed = open_file(path)
    with f:
        attrs = {key: _plain(f.attrs[key]) for key in f.attrs}
        if attrs.get("file_format") != FILE_FORMAT:
            raise ValueError(f"{path} is an HDF5 file but not a fedload result file")
        tables, arrays, units = {}, {}, {}
        for name in _names(f.attrs, "tables"):
            tables[name] = _read_table(f[name])
            for column in tables[name]:
                units[f"{name}/{column}"] = _plain(f[name][column].attrs.get("unit", ""))
        for name in _names(f.attrs, "arrays"):
            arrays[name] = f[name][...]
            units[name] = _plain(f[name].attrs.get("unit", ""))
    status = "complete" if attrs.get("status") == "complete" else "incomplete"
    return {"path": str(path), "status": status, "complete": status == "complete", "unclosed": unclosed,
            "attrs": attrs, "tables": tables, "arrays": arrays, "units": units}


def _short(value, width=72):
    text = ", ".join(value) if isinstance(value, list) else str(value)
    first = text.split("\n", 1)[0]
    if "\n" in text.rstrip("\n"):
        first += f" ... ({text.count(chr(10)) + 1} lines)"
    return first if len(first) <= width else first[:width] + " ..."


def summary(result):
    lines = [f"{'result file':<24} {result['path']}", f"{'status':<24} {result['status']}"]
    if not result["complete"]:
        lines.append("!! INCOMPLETE RUN: the writer did not finish (killed or failed)")
    lines.append("run")
    for key, value in result["attrs"].items():
        if key not in WRITER_ATTRIBUTES:
            lines.append(f"  {key:<22} {_short(value)}")
    lines.append("tables")
    for name, table in result["tables"].items():
        rows = len(next(iter(table.values()))) if table else 0
        lines.append(f"  {name:<22} {rows:>8} rows  {', '.join(table)}")
    if result["arrays"]:
        lines.append("arrays")
        for name, array in result["arrays"].items():
            lines.append(f"  {name:<22} {' x '.join(map(str, array.shape))} {array.dtype}")
    return "\n".join(lines)


def main(argv):
    if len(argv) != 2:
        print("usage: fedload_h5.py RESULT.h5", file=sys.stderr)
        return 2
    try:
        print(summary(load(argv[1])))
    except (OSError, ValueError) as error:
        print(f"fedload_h5: {argv[1]}: {error}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
