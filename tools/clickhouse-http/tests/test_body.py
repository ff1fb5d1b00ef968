import gzip
import io
import unittest

from clickhouse_http.body import Body, RawBody, parse_multipart
from clickhouse_http.errors import BadFraming, ClickHouseError, ClientGone


def raw(data: bytes, headers: dict[str, str]) -> RawBody:
    return RawBody(io.BytesIO(data), headers)


def read_all(body: Body) -> bytes:
    return body.read_all(1 << 20)


class RawBodyTest(unittest.TestCase):
    def test_content_length_and_chunked_bodies(self):
        self.assertEqual(read_all(Body(raw(b"SELECT 1", {"Content-Length": "8"}), None)), b"SELECT 1")
        chunked = raw(b"3\r\nSEL\r\n5\r\nECT 1\r\n0\r\n\r\n", {"Transfer-Encoding": "chunked"})
        self.assertEqual(read_all(Body(chunked, None)), b"SELECT 1")

    def test_broken_framing_and_short_bodies(self):
        with self.assertRaises(BadFraming):
            read_all(Body(raw(b"zz\r\nx\r\n", {"Transfer-Encoding": "chunked"}), None))
        with self.assertRaises(ClientGone):
            read_all(Body(raw(b"abc", {"Content-Length": "10"}), None))
        with self.assertRaises(BadFraming):
            raw(b"", {"Content-Length": "-1"})


class BodyTest(unittest.TestCase):
    def test_gzip_is_decoded_and_unknown_encodings_are_not_implemented(self):
        data = gzip.compress(b"SELECT 42")
        body = Body(raw(data, {"Content-Length": str(len(data))}), "gzip")
        self.assertEqual(read_all(body), b"SELECT 42")
        with self.assertRaises(ClickHouseError) as caught:
            Body(raw(b"x", {"Content-Length": "1"}), "br")
        self.assertEqual(caught.exception.http_status, 501)

    def test_corrupt_gzip_is_zlib_inflate_failed(self):
        with self.assertRaises(ClickHouseError) as caught:
            read_all(Body(raw(b"not gzip", {"Content-Length": "8"}), "gzip"))
        self.assertEqual(caught.exception.code, 354)

    def test_multipart_fields(self):
        form = b'--b\r\nContent-Disposition: form-data; name="param_ids"\r\n\r\n[1,2]\r\n--b--\r\n'
        self.assertEqual(parse_multipart(form, "multipart/form-data; boundary=b"), [("param_ids", "[1,2]")])


if __name__ == "__main__":
    unittest.main()
