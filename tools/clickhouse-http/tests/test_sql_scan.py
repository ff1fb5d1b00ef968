import unittest

from clickhouse_http.sql_scan import NeedMore, output_format_in, plan_inline_insert


class InlineInsertTest(unittest.TestCase):
    def test_finds_the_head_format_and_where_rows_start(self):
        buf = b"INSERT INTO db.t (a, b) SETTINGS async_insert=0 FORMAT JSONEachRow\n{\"a\":1}"
        plan = plan_inline_insert(buf, final=True)
        self.assertEqual(plan.head, "INSERT INTO db.t (a, b) SETTINGS async_insert=0")
        self.assertEqual(plan.fmt, "JSONEachRow")
        self.assertEqual(buf[plan.data_start :], b'{"a":1}')

    def test_values_and_names_that_look_like_keywords(self):
        plan = plan_inline_insert(b"INSERT INTO `format` (`values`) VALUES (1)", final=True)
        self.assertEqual((plan.head, plan.fmt), ("INSERT INTO `format` (`values`)", "Values"))

    def test_statements_without_inline_rows_are_not_inserts_here(self):
        for sql in (b"SELECT 1", b"INSERT INTO t SELECT 1", b"INSERT INTO t (a) WITH 1 AS x SELECT x", b""):
            self.assertIsNone(plan_inline_insert(sql, final=True), sql)

    def test_asks_for_more_when_the_buffer_ends_inside_the_head(self):
        with self.assertRaises(NeedMore):
            plan_inline_insert(b"INSERT INTO t FORM", final=False)
        with self.assertRaises(NeedMore):
            plan_inline_insert(b"INSERT INTO t /* a comment that goes on", final=False)


class OutputFormatTest(unittest.TestCase):
    def test_top_level_format_clause_only(self):
        known = {"JSON", "CSV", "JSONEachRow"}.__contains__
        self.assertEqual(output_format_in(b"SELECT 1 FORMAT JSON", known), "JSON")
        self.assertIsNone(output_format_in(b"SELECT * FROM (SELECT 1 FORMAT CSV)", known))
        self.assertIsNone(output_format_in(b"SELECT 'FORMAT JSON'", known))
        self.assertIsNone(output_format_in(b"SELECT 1 FORMAT Nope", known))


if __name__ == "__main__":
    unittest.main()
