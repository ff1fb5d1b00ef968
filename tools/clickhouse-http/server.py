#!/usr/bin/env python3
"""A local stand-in for a ClickHouse server (>= 24.8): the real ClickHouse engine (chdb,
in-process) behind the part of ClickHouse's HTTP interface that @clickhouse/client uses.
The code is the package clickhouse_http next to this file; see README.md.

    CLICKHOUSE_PASSWORD=... python server.py --host 127.0.0.1 --port 18123 --data-dir PATH
"""

import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from clickhouse_http.main import main  # noqa: E402  (needs the path above)

if __name__ == "__main__":
    sys.exit(main())
