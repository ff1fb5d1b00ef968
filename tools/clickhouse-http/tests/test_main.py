import unittest

from clickhouse_http.access import Credentials
from clickhouse_http.main import credentials_from_env


class CredentialsFromEnvTest(unittest.TestCase):
    def test_the_password_comes_from_the_environment(self):
        self.assertEqual(credentials_from_env("default", {"CLICKHOUSE_PASSWORD": "p"}), Credentials("default", "p"))

    def test_no_password_no_server(self):
        for environ in ({}, {"CLICKHOUSE_PASSWORD": ""}):
            with self.assertRaises(SystemExit) as caught:
                credentials_from_env("default", environ)
            self.assertIn("CLICKHOUSE_PASSWORD", str(caught.exception))


if __name__ == "__main__":
    unittest.main()
