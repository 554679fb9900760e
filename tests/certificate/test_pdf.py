"""The printable certificate: A4, the holder, role, Trust, dates and id, and a QR code of the verify URL."""

from collections import Counter
from datetime import datetime

from pypdf.generic import ContentStream
from reportlab.graphics.barcode.qr import QrCodeWidget

from tests.certificate.conftest import ROLE, TRUST_NAME


def _filled_boxes(page) -> list[tuple[float, float, float, float]]:
    content = ContentStream(page.get_contents(), page.pdf)
    return [tuple(float(v) for v in operands) for operands, operator in content.operations if operator == b"re"]


def qr_modules_drawn(page) -> set[tuple[int, int]]:
    """The dark modules of the QR code drawn on the page, as (row, column) from its top-left module.
    The QR code is drawn as runs of dark modules, one box each, all one module high."""
    boxes = _filled_boxes(page)
    module, _ = Counter(round(h, 3) for _, _, _, h in boxes if 0 < h < 10).most_common(1)[0]
    runs = [(x, y, w) for x, y, w, h in boxes if round(h, 3) == module]
    left, top = min(x for x, _, _ in runs), max(y for _, y, _ in runs)
    dark = set()
    for x, y, w in runs:
        row, column = round((top - y) / module), round((x - left) / module)
        dark.update((row, column + step) for step in range(round(w / module)))
    return dark


def qr_modules_of(text: str) -> set[tuple[int, int]]:
    widget = QrCodeWidget(text, barLevel="M")
    widget.qr.make()
    return {(r, c) for r, row in enumerate(widget.qr.modules) for c, dark in enumerate(row) if dark}


def test_the_pdf_is_an_a4_certificate_with_holder_role_trust_dates_and_id(service, holder):
    certificate = service.certified(holder)
    reader = service.pdf(certificate["id"], holder)
    [page] = reader.pages
    assert (round(float(page.mediabox.width)), round(float(page.mediabox.height))) == (595, 842)
    text = page.extract_text()
    for expected in ("Certificate of Competence", "Alex Morgan-Reyes", ROLE, TRUST_NAME.upper(), certificate["id"]):
        assert expected in text
    issued, expires = (datetime.fromisoformat(certificate[k]) for k in ("issued_at", "expires_at"))
    assert f"{issued.day} {issued:%B %Y}" in text and f"{expires.day} {expires:%B %Y}" in text
    assert "valid" not in text.split(certificate["id"])[-1]  # no warning banner on a valid certificate


def test_the_qr_code_on_the_pdf_encodes_the_verify_url(service, holder):
    certificate = service.certified(holder)
    verify_url = f"http://127.0.0.1:5007/certificates/{certificate['id']}/verify"
    [page] = service.pdf(certificate["id"], holder).pages
    assert verify_url in page.extract_text()
    drawn = qr_modules_drawn(page)
    assert drawn == qr_modules_of(verify_url)
    assert drawn != qr_modules_of(verify_url.replace("/verify", "/pdf"))  # the comparison can tell codes apart


def test_a_revoked_certificate_says_so_on_the_pdf(service, holder):
    certificate = service.certified(holder)
    assert service.revoke(certificate["id"], service.person("lead")).status_code == 200
    [page] = service.pdf(certificate["id"], holder).pages
    assert "This certificate is revoked." in page.extract_text()
