import unittest

from clickhouse_http.errors import ENGINE_VERSION, ClickHouseError, engine_error


class EngineErrorTest(unittest.TestCase):
    def test_engine_text_becomes_one_clean_clickhouse_line(self):
        err = engine_error(
            "Code: 62. DB::Exception: Syntax error: failed at position 1 (SELEC). (SYNTAX_ERROR) (version 26.9.2.1)"
        )
        self.assertEqual((err.code, err.name, err.http_status), (62, "SYNTAX_ERROR", 400))
        self.assertEqual(
            err.text(),
            f"Code: 62. DB::Exception: Syntax error: failed at position 1 (SELEC). (SYNTAX_ERROR) (version {ENGINE_VERSION})\n",
        )

    def test_settings_errors_wrapped_in_themselves_are_unwrapped(self):
        err = engine_error(
            "Code: 115. DB::Exception: Code: 115. DB::Exception: Unknown setting 'x'. (UNKNOWN_SETTING). (UNKNOWN_SETTING)"
        )
        self.assertEqual((err.code, err.name, err.message), (115, "UNKNOWN_SETTING", "Unknown setting 'x'"))
        self.assertEqual(err.http_status, 404)

    def test_text_without_a_code_is_a_std_exception(self):
        err = engine_error(RuntimeError("something odd"))
        self.assertEqual((err.code, err.name, err.http_status), (1001, "STD_EXCEPTION", 500))

    def test_status_follows_the_servers_mapping(self):
        self.assertEqual(ClickHouseError.of("AUTHENTICATION_FAILED", "x").http_status, 403)
        self.assertEqual(ClickHouseError.of("ACCESS_DENIED", "x").http_status, 403)
        self.assertEqual(ClickHouseError.of("NOT_IMPLEMENTED", "x").http_status, 501)


if __name__ == "__main__":
    unittest.main()
