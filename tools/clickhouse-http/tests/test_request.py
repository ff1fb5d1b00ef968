import unittest

from clickhouse_http.errors import ClickHouseError
from clickhouse_http.request import build_request, pick_encoding
from clickhouse_http.results import needs_whole_result


class BuildRequestTest(unittest.TestCase):
    def test_splits_reserved_parameters_query_parameters_and_settings(self):
        request = build_request(
            "POST",
            [("query", "SELECT 1"), ("database", "d"), ("param_x", "1"), ("max_threads", "2"), ("user", "u"),
             ("password", "p"), ("max_threads", "3")],
            {"X-ClickHouse-Format": "JSONEachRow"},
        )  # fmt: skip
        self.assertEqual(request.url_query, "SELECT 1")
        self.assertEqual(request.database, "d")
        self.assertEqual(request.query_params, {"x": "1"})
        self.assertEqual(request.settings, {"max_threads": "3"})  # the last one wins; credentials are no settings
        self.assertEqual(request.default_format, "JSONEachRow")
        self.assertTrue(request.query_id)

    def test_a_setting_name_that_is_no_identifier_is_an_unknown_setting(self):
        with self.assertRaises(ClickHouseError) as caught:
            build_request("POST", [("max threads", "1")], {})
        self.assertEqual(caught.exception.code, 115)

    def test_native_compression_is_refused_as_not_implemented(self):
        with self.assertRaises(ClickHouseError) as caught:
            build_request("POST", [("compress", "1")], {})
        self.assertEqual(caught.exception.http_status, 501)

    def test_response_compression_follows_accept_encoding(self):
        self.assertEqual(pick_encoding("br, gzip;q=0.5"), "gzip")
        self.assertEqual(pick_encoding("gzip;q=0, deflate"), "deflate")
        self.assertIsNone(pick_encoding("br, zstd"))
        request = build_request("POST", [("enable_http_compression", "1")], {"Accept-Encoding": "gzip"})
        self.assertEqual(request.encoding, "gzip")


class WholeResultTest(unittest.TestCase):
    def test_documents_and_progress_formats_run_whole_row_formats_stream(self):
        for fmt in ("JSON", "JSONCompact", "JSONStrings", "JSONEachRowWithProgress", "XML"):
            self.assertTrue(needs_whole_result(fmt), fmt)
        for fmt in ("JSONEachRow", "JSONCompactEachRow", "CSV", "TabSeparated", "Parquet", "RowBinary"):
            self.assertFalse(needs_whole_result(fmt), fmt)


if __name__ == "__main__":
    unittest.main()
