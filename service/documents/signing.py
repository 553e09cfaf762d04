"""PAdES signatures with pyHanko, and a local development CA (`flask documents dev-cert`).

Production points SIGNING_CERT / SIGNING_KEY (PEM) at the agency's signing certificate and
SIGNING_CA at the chain to trust when verifying. Development (`make run`) and the tests, given no
certificate, sign with a development one generated once in SIGNING_DEV_DIR (SIGNING_DEV_CERTIFICATE;
production refuses it, service/safety.py): a receipt is issued only signed (Decree 254/2026 Art. 23(2)),
so the demo must sign to issue one.
"""

from __future__ import annotations

import io
import shutil
import tempfile
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from asn1crypto import pem as asn1_pem
from asn1crypto import x509 as asn1_x509
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID
from flask import current_app
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign import fields, signers
from pyhanko.sign.validation import validate_pdf_signature
from pyhanko_certvalidator import ValidationContext

OFF = {"", "0", "false", "no", "off"}


def configured(required: bool = False) -> bool:
    """Whether a document is signed: always with a configured certificate; else, in development and tests,
    with the development one, every document ("all", `make run`) or only those that exist only signed
    (`required`: receipts; "required", the tests, whose other documents stay unsigned as in an agency
    without a certificate)."""
    config = current_app.config
    if config["SIGNING_CERT"] and config["SIGNING_KEY"]:
        return True
    mode = dev_mode(config)
    return mode == "all" or (mode == "required" and required)


def dev_mode(config) -> str:
    """SIGNING_DEV_CERTIFICATE as "" (off), "required" or "all" (any other value that is on)."""
    value = str(config.get("SIGNING_DEV_CERTIFICATE") or "").strip().lower()
    if value in OFF or not config.get("SIGNING_DEV_DIR"):
        return ""
    return "required" if value == "required" else "all"


@dataclass(frozen=True)
class Credentials:
    cert: str
    key: str
    ca: str
    password: bytes | None


def credentials() -> Credentials:
    """The configured certificate, else the development one (generated the first time it is needed)."""
    config = current_app.config
    if config["SIGNING_CERT"] and config["SIGNING_KEY"]:
        password = config["SIGNING_KEY_PASSWORD"].encode() if config["SIGNING_KEY_PASSWORD"] else None
        return Credentials(config["SIGNING_CERT"], config["SIGNING_KEY"], config["SIGNING_CA"], password)
    paths = development_certificates(Path(config["SIGNING_DEV_DIR"]))
    return Credentials(str(paths["cert"]), str(paths["key"]), str(paths["ca"]), None)


def development_certificates(out_dir: Path) -> dict[str, Path]:
    """The development CA and signer in `out_dir`, made once (several processes may race: each writes
    its own set in a fresh folder and the first to rename it into place wins)."""
    names = {"ca": out_dir / "ca.pem", "cert": out_dir / "signer.pem", "key": out_dir / "signer.key"}
    if all(path.is_file() for path in names.values()):
        return names
    out_dir.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=".dev-signing-", dir=out_dir.parent))
    make_dev_certificates(staging)
    try:
        if out_dir.exists() and not any(out_dir.iterdir()):
            out_dir.rmdir()
        staging.rename(out_dir)
    except OSError:  # another process got there first: its set is used
        shutil.rmtree(staging, ignore_errors=True)
    return names


def sign(pdf: bytes, reason: str) -> bytes:
    config = current_app.config
    given = credentials()
    ca_chain = (given.ca,) if given.ca else ()
    signer = signers.SimpleSigner.load(given.key, given.cert, ca_chain, given.password)
    if signer is None:
        raise RuntimeError("SIGNING_CERT / SIGNING_KEY could not be loaded")
    metadata = signers.PdfSignatureMetadata(
        field_name="ChuKySo",
        reason=reason,
        location=config["DOCUMENT_PLACE"],
        subfilter=fields.SigSeedSubFilter.PADES,
    )
    output = io.BytesIO()
    signers.sign_pdf(IncrementalPdfFileWriter(io.BytesIO(pdf)), metadata, signer=signer, output=output)
    return output.getvalue()


@dataclass
class SignatureCheck:
    present: bool
    intact: bool = False
    trusted: bool = False
    signer: str = ""
    signed_at: datetime | None = None


def check(pdf: bytes) -> SignatureCheck:
    """Whether the PDF carries a signature, untouched since signing, by a certificate we trust."""
    try:
        reader = PdfFileReader(io.BytesIO(pdf))
        signatures = reader.embedded_signatures
    except Exception:  # noqa: BLE001  an unreadable PDF simply has no valid signature
        return SignatureCheck(present=False)
    if not signatures:
        return SignatureCheck(present=False)
    roots = _trust_roots()
    status = validate_pdf_signature(signatures[0], ValidationContext(trust_roots=roots) if roots else None)
    return SignatureCheck(
        present=True,
        intact=bool(status.intact and status.valid),
        trusted=bool(status.trusted) and bool(roots),
        signer=status.signing_cert.subject.human_friendly if status.signing_cert else "",
        signed_at=status.signer_reported_dt,
    )


def _trust_roots() -> list[asn1_x509.Certificate]:
    config = current_app.config
    path = config["SIGNING_CA"] or (
        str(Path(config["SIGNING_DEV_DIR"]) / "ca.pem") if dev_mode(config) else ""
    )
    if not path or not Path(path).is_file():
        return []
    data = Path(path).read_bytes()
    if asn1_pem.detect(data):
        return [asn1_x509.Certificate.load(der) for _, _, der in asn1_pem.unarmor(data, multiple=True)]
    return [asn1_x509.Certificate.load(data)]


def make_dev_certificates(out_dir: Path) -> dict[str, Path]:
    """A development CA and a signing certificate issued by it (PEM files, unencrypted key)."""
    out_dir.mkdir(parents=True, exist_ok=True)
    now = datetime.now(UTC)
    ca_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    ca_name = _name("CA phát triển - Dịch vụ công GDNN")
    ca_cert = (
        x509.CertificateBuilder()
        .subject_name(ca_name)
        .issuer_name(ca_name)
        .public_key(ca_key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(days=1))
        .not_valid_after(now + timedelta(days=3650))
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(_key_usage(ca=True), critical=True)
        .sign(ca_key, hashes.SHA256())
    )
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    cert = (
        x509.CertificateBuilder()
        .subject_name(_name("Sở Giáo dục và Đào tạo tỉnh An Giang (phát triển)"))
        .issuer_name(ca_name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(days=1))
        .not_valid_after(now + timedelta(days=825))
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(_key_usage(ca=False), critical=True)
        .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.EMAIL_PROTECTION]), critical=False)
        .sign(ca_key, hashes.SHA256())
    )
    paths = {"ca": out_dir / "ca.pem", "cert": out_dir / "signer.pem", "key": out_dir / "signer.key"}
    paths["ca"].write_bytes(ca_cert.public_bytes(serialization.Encoding.PEM))
    paths["cert"].write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    paths["key"].write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        )
    )
    paths["key"].chmod(0o600)
    return paths


def _name(common_name: str) -> x509.Name:
    return x509.Name(
        [x509.NameAttribute(NameOID.COUNTRY_NAME, "VN"), x509.NameAttribute(NameOID.COMMON_NAME, common_name)]
    )


def _key_usage(ca: bool) -> x509.KeyUsage:
    return x509.KeyUsage(
        digital_signature=not ca,
        content_commitment=not ca,
        key_encipherment=False,
        data_encipherment=False,
        key_agreement=False,
        key_cert_sign=ca,
        crl_sign=ca,
        encipher_only=False,
        decipher_only=False,
    )
