import unittest

from clickhouse_http.errors import ClickHouseError
from clickhouse_http.query_guard import QueryGuard, denied_names

ENGINE_NAMES = [
    "file", "url", "s3", "remote", "remoteSecure", "mysql", "executable", "input", "numbers", "format",
    "values", "merge", "File", "URL", "Kafka", "MergeTree", "Memory", "Filesystem", "Atomic", "Log",
]  # fmt: skip


class QueryGuardTest(unittest.TestCase):
    guard = QueryGuard(denied_names(ENGINE_NAMES))

    def refused(self, sql: str) -> ClickHouseError:
        with self.assertRaises(ClickHouseError, msg=sql) as caught:
            self.guard.check(sql.encode())
        return caught.exception

    def test_the_allowlist_wins_over_the_engine_list(self):
        denied = denied_names(ENGINE_NAMES)
        self.assertIn("file", denied)
        self.assertIn("kafka", denied)
        self.assertIn("disk", denied)  # dynamic disks, not in any engine table
        for safe in ("input", "numbers", "format", "values", "merge", "mergetree", "memory", "atomic", "log"):
            self.assertNotIn(safe, denied)

    def test_table_functions_that_reach_files_or_the_network_are_access_denied(self):
        for sql in (
            "SELECT * FROM file('/etc/passwd', 'LineAsString')",
            "SELECT file('/etc/passwd')",
            "select * from URL ('http://x', CSV)",
            "SELECT * FROM `s3`('http://x')",
            "SELECT * FROM remoteSecure('h', system.one)",
            "INSERT INTO FUNCTION file('x.csv', 'CSV') SELECT 1",
            "INSERT INTO TABLE FUNCTION url('http://x', 'CSV')",
            "SELECT * FROM numbers(1) WHERE 1 IN (SELECT * FROM /* c */ mysql('h', 'd', 't', 'u', 'p'))",
            "BACKUP TABLE t TO File('b.zip')",
            "CREATE TABLE t (a UInt8) ENGINE = MergeTree ORDER BY a SETTINGS disk = disk(type = local, path = '/')",
        ):
            error = self.refused(sql)
            self.assertEqual((error.code, error.name, error.http_status), (497, "ACCESS_DENIED", 403))

    def test_engines_and_dictionary_sources_that_reach_out_are_refused(self):
        for sql in (
            "CREATE TABLE t (a UInt8) ENGINE = File(CSV)",
            "CREATE TABLE t (a UInt8) ENGINE = Kafka SETTINGS kafka_broker_list = 'h:9092'",
            "CREATE TABLE t (a UInt8) ENGINE Kafka",
            "CREATE DATABASE d ENGINE = Filesystem('/etc')",
            "CREATE DICTIONARY d (a UInt64) PRIMARY KEY a SOURCE(FILE(path './x' format 'CSV')) LAYOUT(FLAT()) LIFETIME(0)",
            "CREATE DICTIONARY d (a UInt64) PRIMARY KEY a SOURCE(HTTP(url 'http://x' format 'CSV')) LAYOUT(FLAT()) LIFETIME(0)",
            "CREATE DICTIONARY d (a UInt64) PRIMARY KEY a SOURCE(CLICKHOUSE(HOST 'h' PORT 9000 TABLE 't')) LAYOUT(FLAT()) LIFETIME(0)",
        ):
            self.refused(sql)

    def test_client_side_clauses_are_refused_as_a_servers_http_interface_does(self):
        self.assertEqual(self.refused("SELECT 1 INTO OUTFILE 'x.csv'").code, 486)
        self.assertEqual(self.refused("INSERT INTO t FROM INFILE 'x.csv' FORMAT CSV").code, 78)

    def test_system_statements_other_than_cache_log_and_merge_housekeeping_are_refused(self):
        self.assertIn("SYSTEM SHUTDOWN", self.refused("SYSTEM SHUTDOWN").message)
        self.refused("system kill")
        self.refused("SYSTEM RELOAD CONFIG")
        self.refused("ATTACH TABLE t FROM '/var/lib/x' (a UInt8) ENGINE = MergeTree ORDER BY a")
        self.guard.check(b"SYSTEM FLUSH LOGS")
        self.guard.check(b"SYSTEM DROP MARK CACHE")

    def test_ordinary_statements_and_lookalikes_in_strings_and_comments_pass(self):
        for sql in (
            "SELECT count() FROM numbers(10)",
            "SELECT 'file(x)', format('{}', 1) -- url('http://x')",
            "SELECT * FROM input('a UInt8')",
            "CREATE TABLE t (url String, file String, s3 String) ENGINE = MergeTree ORDER BY url",
            "CREATE DICTIONARY d (a UInt64) PRIMARY KEY a SOURCE(CLICKHOUSE(TABLE 't')) LAYOUT(FLAT()) LIFETIME(0)",
            "INSERT INTO t (url, file) SETTINGS async_insert = 0",
            "SELECT 1 AS into_, 2 AS outfile",
            "SELECT 'unterminated",
        ):
            self.guard.check(sql.encode())

    def test_text_the_scanner_cannot_finish_is_still_searched_for_denied_calls(self):
        self.refused("SELECT * FROM file('/etc/passwd') /* never closed")
        self.refused("SELECT `url` ('http://x') WHERE 'never closed")


if __name__ == "__main__":
    unittest.main()
