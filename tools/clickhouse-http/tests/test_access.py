import base64
import unittest

from clickhouse_http.access import (
    Credentials,
    authenticate,
    host_name,
    is_loopback_host,
    presented_credentials,
    refuse_foreign_request,
)
from clickhouse_http.errors import ClickHouseError


def basic(user: str, password: str) -> str:
    return "Basic " + base64.b64encode(f"{user}:{password}".encode()).decode()


class HostTest(unittest.TestCase):
    def test_host_part_of_a_host_header(self):
        self.assertEqual(host_name("[::1]:8123"), "::1")
        self.assertEqual(host_name("localhost:8123"), "localhost")
        self.assertEqual(host_name("127.0.0.1"), "127.0.0.1")

    def test_loopback_names_and_addresses_pass(self):
        for host in ("127.0.0.1:18123", "127.1.2.3", "localhost", "LOCALHOST:1", "[::1]:18123"):
            self.assertTrue(is_loopback_host(host), host)

    def test_other_hosts_and_no_host_are_refused(self):
        for host in (None, "", "evil.example", "evil.example:18123", "10.0.0.1", "[::2]:1", "localhost.evil.example"):
            self.assertFalse(is_loopback_host(host), host)

    def test_an_origin_is_refused_even_from_loopback(self):
        with self.assertRaises(ClickHouseError) as caught:
            refuse_foreign_request({"Host": "127.0.0.1:18123", "Origin": "http://127.0.0.1:3000"})
        self.assertEqual(caught.exception.name, "ACCESS_DENIED")
        self.assertEqual(caught.exception.http_status, 403)
        refuse_foreign_request({"Host": "127.0.0.1:18123"})  # no exception


class CredentialsTest(unittest.TestCase):
    expected = Credentials(user="default", password="s3cret")

    def test_basic_auth_headers_and_url_parameters_are_read(self):
        self.assertEqual(presented_credentials({"Authorization": basic("default", "a:b")}, {}), Credentials("default", "a:b"))
        self.assertEqual(
            presented_credentials({"X-ClickHouse-User": "u", "X-ClickHouse-Key": "k"}, {}), Credentials("u", "k")
        )
        self.assertEqual(presented_credentials({}, {"user": "u", "password": "p"}), Credentials("u", "p"))
        self.assertEqual(presented_credentials({}, {}), Credentials("default", ""))

    def test_a_bearer_token_or_broken_basic_auth_is_no_credential(self):
        self.assertEqual(presented_credentials({"Authorization": "Bearer x"}, {}), Credentials("", ""))
        self.assertEqual(presented_credentials({"Authorization": "Basic !!!"}, {}), Credentials("", ""))

    def test_the_right_password_passes_and_anything_else_is_516(self):
        authenticate(self.expected, Credentials("default", "s3cret"))
        for presented in (Credentials("default", "wrong"), Credentials("default", ""), Credentials("other", "s3cret")):
            with self.assertRaises(ClickHouseError) as caught:
                authenticate(self.expected, presented)
            self.assertEqual((caught.exception.code, caught.exception.name), (516, "AUTHENTICATION_FAILED"))
            self.assertIn("Authentication failed: password is incorrect", caught.exception.text())


if __name__ == "__main__":
    unittest.main()
