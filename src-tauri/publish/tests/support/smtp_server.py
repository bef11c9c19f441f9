"""A real SMTP server for the tests (aiosmtpd, installed by scripts/setup.sh
into target/pyenv), on 127.0.0.1 only.

Usage: smtp_server.py DIR USER PASSWORD

Three listeners, each on a free port:
  starttls  plain, STARTTLS offered, login required after STARTTLS
  tls       TLS from the first byte, login required
  plain     no encryption, no login (a relay on this machine)

The server's certificate, for 127.0.0.1, is signed by a certificate
authority made at start and written to DIR/ca.pem, so a test can trust it. Every message taken is written to DIR/mail-N.json with
its envelope (from, recipients, login) and its raw content. The first line
on stdout is JSON with the three ports; the server runs until killed.
"""

import datetime
import ipaddress
import json
import os
import ssl
import sys
import socket
import threading

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

DIR, USER, PASSWORD = sys.argv[1], sys.argv[2], sys.argv[3]
COUNT = [0]
LOCK = threading.Lock()


def certificates():
    """A certificate authority (DIR/ca.pem) and the server's certificate for
    127.0.0.1 signed by it; the server's TLS context."""
    now = datetime.datetime.now(datetime.timezone.utc)
    valid = dict(
        not_valid_before=now - datetime.timedelta(minutes=5),
        not_valid_after=now + datetime.timedelta(days=1),
    )
    ca_key = ec.generate_private_key(ec.SECP256R1())
    ca_name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "Incident Desk test CA")])
    ca = (
        x509.CertificateBuilder(**valid)
        .subject_name(ca_name)
        .issuer_name(ca_name)
        .public_key(ca_key.public_key())
        .serial_number(x509.random_serial_number())
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=True, key_cert_sign=True, crl_sign=True,
                content_commitment=False, key_encipherment=False, data_encipherment=False,
                key_agreement=False, encipher_only=False, decipher_only=False,
            ),
            critical=True,
        )
        .sign(ca_key, hashes.SHA256())
    )
    key = ec.generate_private_key(ec.SECP256R1())
    leaf = (
        x509.CertificateBuilder(**valid)
        .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")]))
        .issuer_name(ca_name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .add_extension(
            x509.SubjectAlternativeName(
                [x509.IPAddress(ipaddress.ip_address("127.0.0.1")), x509.DNSName("localhost")]
            ),
            critical=False,
        )
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH]), critical=False)
        .sign(ca_key, hashes.SHA256())
    )
    pem = serialization.Encoding.PEM
    with open(os.path.join(DIR, "ca.pem"), "wb") as f:
        f.write(ca.public_bytes(pem))
    cert_path = os.path.join(DIR, "server.pem")
    key_path = os.path.join(DIR, "server-key.pem")
    with open(cert_path, "wb") as f:
        f.write(leaf.public_bytes(pem))
    with open(key_path, "wb") as f:
        f.write(
            key.private_bytes(
                pem, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
            )
        )
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(cert_path, key_path)
    return context


def authenticate(server, session, envelope, mechanism, auth_data):
    ok = (
        isinstance(auth_data, LoginPassword)
        and auth_data.login.decode() == USER
        and auth_data.password.decode() == PASSWORD
    )
    return AuthResult(success=ok, handled=False, auth_data=auth_data.login.decode() if ok else None)


class Keep:
    async def handle_DATA(self, server, session, envelope):
        with LOCK:
            COUNT[0] += 1
            n = COUNT[0]
        login = session.auth_data if isinstance(session.auth_data, str) else None
        record = {
            "from": envelope.mail_from,
            "to": envelope.rcpt_tos,
            "login": login,
            "content": envelope.content.decode("utf-8", "replace"),
        }
        path = os.path.join(DIR, f"mail-{n}.json")
        with open(path + ".part", "w") as f:
            json.dump(record, f)
        os.rename(path + ".part", path)
        return "250 Message accepted for delivery"


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def main():
    context = certificates()
    auth = dict(authenticator=authenticate, auth_require_tls=True)
    ports = {"starttls": free_port(), "tls": free_port(), "plain": free_port()}
    starttls = Controller(
        Keep(),
        hostname="127.0.0.1",
        port=ports["starttls"],
        tls_context=context,
        require_starttls=True,
        **auth,
    )
    # aiosmtpd does not count a connection that was TLS from the first byte
    # as encrypted for auth_require_tls; it is, so the login is offered.
    tls = Controller(
        Keep(),
        hostname="127.0.0.1",
        port=ports["tls"],
        ssl_context=context,
        authenticator=authenticate,
        auth_require_tls=False,
    )
    plain = Controller(Keep(), hostname="127.0.0.1", port=ports["plain"])
    for controller in (starttls, tls, plain):
        controller.start()
    print(json.dumps(ports), flush=True)
    threading.Event().wait()


main()
