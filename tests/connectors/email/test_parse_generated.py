"""parse_mail on 1,000 generated messages (ten charsets, three structures, attachments), on
damaged copies of them, and on a message of tens of megabytes."""

import base64
import random
import time

import pytest

from parley.connectors.email.mime import parse_mail
from tests.fakes.mailgen import CHARSETS, generate_mail

COUNT = 1000


def test_generated_mail_reads_back_exactly():
    seen = set()
    for index in range(COUNT):
        raw, expected = generate_mail(index)
        mail = parse_mail(raw)
        context = (index, expected["charset"], expected["structure"])
        assert mail.sender is not None, context
        assert (mail.sender.addr, mail.sender.name) == (
            expected["sender"],
            expected["sender_name"],
        ), context
        assert mail.subject == expected["subject"], context
        assert mail.message_id == expected["message_id"], context
        assert mail.text == expected["text"], context
        assert mail.body_type == "text/plain", context
        if expected["structure"] == "alternative":
            first_line = expected["text"].split("\n")[0]
            assert f"<p>{first_line}</p>" in mail.html, context
        else:
            assert mail.html == "", context
        got = [(a.filename, a.content) for a in mail.attachments]
        assert got == expected["attachments"], context
        assert not [d for d in mail.defects if d.startswith("charset-")], context
        seen.add((expected["charset"], expected["structure"], len(expected["attachments"])))
    assert {charset for charset, _s, _n in seen} == set(CHARSETS)
    assert {n for _c, structure, n in seen if structure == "mixed"} == {0, 1, 2}


def test_generation_is_deterministic():
    assert generate_mail(417) == generate_mail(417)
    assert generate_mail(417)[0] != generate_mail(418)[0]


def _damaged(raw: bytes, rng: random.Random) -> bytes:
    kind = rng.randrange(4)
    if kind == 0:
        return raw[: rng.randrange(len(raw))]
    if kind == 1:
        data = bytearray(raw)
        for _ in range(20):
            data[rng.randrange(len(data))] = rng.randrange(256)
        return bytes(data)
    if kind == 2:
        return raw.replace(b"\r\n", b"\r")
    return raw.replace(b"boundary=", b"boundary=x")


def test_damaged_and_junk_input_never_raises():
    rng = random.Random(20250304)
    junk = [b"", b"\x00" * 100, b"\xff\xfe" * 500, b"From: \r\n\r\n", b":\r\n:\r\n", b"\n" * 1000]
    damaged = [_damaged(generate_mail(i)[0], rng) for i in range(300)]
    for raw in junk + damaged:
        mail = parse_mail(raw)
        assert isinstance(mail.text, str)
        # repaired or read leniently, not rescued by the last-resort catch
        assert not [d for d in mail.defects if d.startswith("parse-failed")]
    assert parse_mail(b"").sender is None


@pytest.mark.parametrize("megabytes", [25])
def test_tens_of_megabytes(megabytes):
    raw, expected = generate_mail(50)
    assert expected["structure"] == "mixed"
    payload = bytes(range(256)) * (megabytes * 4096)
    encoded = base64.encodebytes(payload).replace(b"\n", b"\r\n")
    boundary = b"--=_mailgen_mixed_50"
    big_part = (
        b"Content-Type: application/octet-stream\r\n"
        b'Content-Disposition: attachment; filename="big.bin"\r\n'
        b"Content-Transfer-Encoding: base64\r\n\r\n" + encoded + b"\r\n"
    )
    raw = raw.replace(boundary + b"--", boundary + b"\r\n" + big_part + boundary + b"--")
    started = time.monotonic()
    mail = parse_mail(raw)
    elapsed = time.monotonic() - started
    assert mail.text == expected["text"]
    assert mail.attachments[-1].filename == "big.bin"
    assert mail.attachments[-1].content == payload
    assert elapsed < 30, f"{megabytes} MB took {elapsed:.1f}s"
