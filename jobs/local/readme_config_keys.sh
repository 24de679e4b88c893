#!/usr/bin/env bash
# Regenerates the README's config-key table from the schema compiled into the fedload binary
# (a test fails when they differ). Usage: jobs/local/readme_config_keys.sh [path/to/fedload]
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
bin=${1:-$root/build/fedload}
table=$("$bin" config keys --markdown)
/usr/bin/python3 - "$root/README.md" "$table" <<'PY'
import sys
path, table = sys.argv[1], sys.argv[2]
text = open(path).read()
begin = text.index("<!-- config-keys:begin")
begin = text.index("\n", begin) + 1
end = text.index("<!-- config-keys:end -->")
open(path, "w").write(text[:begin] + table + "\n" + text[end:])
PY
echo "README.md config table updated from $bin"
