"""A local stand-in for a ClickHouse server (>= 24.8): the real engine (chdb) behind ClickHouse's
HTTP interface, as far as @clickhouse/client uses it. See ../README.md.

Modules, in the order a request meets them: access (who may ask, and what), request (URL
parameters), body (the request body), sql_scan (INSERT data and FORMAT), engine (connections and
sessions), inserts, results, reply (the response), handler (one HTTP request), http_server,
main (the process).
"""

import os
import time

# The engine reads TZ once, when it starts. Pinning it before any module imports chdb makes
# results and the X-ClickHouse-Timezone header agree whatever zone the machine is in (server
# images run in UTC).
os.environ["TZ"] = "UTC"
time.tzset()
