"""The printable certificate: one A4 portrait page, rendered on request and never stored."""

from __future__ import annotations

import io
from dataclasses import dataclass
from datetime import datetime

from reportlab.graphics import renderPDF
from reportlab.graphics.barcode.qr import QrCodeWidget
from reportlab.graphics.shapes import Drawing
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.pdfgen.canvas import Canvas

NHS_BLUE = colors.HexColor("#005EB8")
NHS_DARK_BLUE = colors.HexColor("#003087")
GREY = colors.HexColor("#425563")
QR_SIZE = 42 * mm


@dataclass(frozen=True)
class PrintedCertificate:
    certificate_id: str
    holder_name: str | None
    role: str
    passport_type: str
    type_version: int
    trust_name: str | None
    issued_at: datetime
    expires_at: datetime
    status: str
    verify_url: str


def _date(moment: datetime) -> str:
    return f"{moment.day} {moment:%B %Y}"


def _set_fitting_font(canvas: Canvas, text: str, font: str, size: float, room: float, smallest: float = 6) -> None:
    """The font at `size`, or smaller until `text` fits in `room`: long names and addresses stay on the page."""
    while size > smallest and canvas.stringWidth(text, font, size) > room:
        size -= 0.5
    canvas.setFont(font, size)


def qr_drawing(data: str, size: float = QR_SIZE) -> Drawing:
    widget = QrCodeWidget(data, barLevel="M", barBorder=0)
    drawing = Drawing(size, size)
    widget.barWidth = widget.barHeight = size
    drawing.add(widget)
    return drawing


def render(certificate: PrintedCertificate) -> bytes:
    buffer = io.BytesIO()
    width, height = A4
    canvas = Canvas(buffer, pagesize=A4, pageCompression=0)
    canvas.setTitle(f"{certificate.role} certificate {certificate.certificate_id}")
    canvas.setAuthor(certificate.trust_name or "Skills Passports")
    canvas.setSubject("Skills passport certificate")

    # A double frame in NHS blue, drawn as lines so that nothing on the page but the QR code is a filled box.
    canvas.setStrokeColor(NHS_BLUE)
    canvas.setLineWidth(3)
    canvas.roundRect(12 * mm, 12 * mm, width - 24 * mm, height - 24 * mm, 6 * mm, stroke=1, fill=0)
    canvas.setLineWidth(0.8)
    canvas.roundRect(16 * mm, 16 * mm, width - 32 * mm, height - 32 * mm, 4 * mm, stroke=1, fill=0)

    centre, text_room = width / 2, width - 50 * mm
    y = height - 45 * mm
    canvas.setFillColor(NHS_BLUE)
    canvas.setFont("Helvetica-Bold", 13)
    canvas.drawCentredString(centre, y, (certificate.trust_name or "").upper())
    y -= 22 * mm
    canvas.setFillColor(NHS_DARK_BLUE)
    canvas.setFont("Times-Bold", 36)
    canvas.drawCentredString(centre, y, "Certificate of Competence")
    y -= 10 * mm
    canvas.setFont("Helvetica", 12)
    canvas.setFillColor(GREY)
    canvas.drawCentredString(centre, y, "Critical care skills passport")

    y -= 25 * mm
    canvas.setFont("Helvetica", 14)
    canvas.drawCentredString(centre, y, "This is to certify that")
    if certificate.holder_name:
        y -= 16 * mm
        canvas.setFillColor(colors.black)
        _set_fitting_font(canvas, certificate.holder_name, "Times-BoldItalic", 30, text_room)
        canvas.drawCentredString(centre, y, certificate.holder_name)
        canvas.setStrokeColor(NHS_BLUE)
        canvas.setLineWidth(0.6)
        canvas.line(centre - 70 * mm, y - 4 * mm, centre + 70 * mm, y - 4 * mm)
    y -= 16 * mm
    canvas.setFillColor(GREY)
    canvas.setFont("Helvetica", 14)
    canvas.drawCentredString(centre, y, "has demonstrated every skill required for the role of")
    y -= 14 * mm
    canvas.setFillColor(NHS_DARK_BLUE)
    _set_fitting_font(canvas, certificate.role, "Helvetica-Bold", 20, text_room)
    canvas.drawCentredString(centre, y, certificate.role)
    y -= 8 * mm
    canvas.setFillColor(GREY)
    canvas.setFont("Helvetica", 11)
    canvas.drawCentredString(
        centre,
        y,
        f"Passport {certificate.passport_type}, version {certificate.type_version}, "
        "each skill signed off proficient by a supervisor",
    )

    y -= 22 * mm
    left, right = centre - 55 * mm, centre + 5 * mm
    for label, value, x in (
        ("Issued", _date(certificate.issued_at), left),
        ("Valid until", _date(certificate.expires_at), right),
    ):
        canvas.setFont("Helvetica", 10)
        canvas.setFillColor(GREY)
        canvas.drawString(x, y, label.upper())
        canvas.setFont("Helvetica-Bold", 15)
        canvas.setFillColor(colors.black)
        canvas.drawString(x, y - 7 * mm, value)

    qr_x, qr_y = width - 20 * mm - 8 * mm - QR_SIZE, 28 * mm
    renderPDF.draw(qr_drawing(certificate.verify_url), canvas, qr_x, qr_y)
    canvas.setFont("Helvetica-Bold", 10)
    canvas.setFillColor(NHS_DARK_BLUE)
    text_x = 28 * mm
    canvas.drawString(text_x, qr_y + QR_SIZE - 4 * mm, "Check this certificate")
    canvas.setFillColor(GREY)
    lines = [
        "Scan the code, or open the address below, to see whether it is",
        "still valid: certificates can expire or be revoked.",
        certificate.verify_url,
        "",
        f"Certificate {certificate.certificate_id}",
    ]
    line_y = qr_y + QR_SIZE - 10 * mm
    room = qr_x - 6 * mm - text_x
    for line in lines:
        _set_fitting_font(canvas, line, "Helvetica", 9, room)
        canvas.drawString(text_x, line_y, line)
        line_y -= 5 * mm
    if certificate.status != "valid":
        canvas.setFont("Helvetica-Bold", 12)
        canvas.setFillColor(colors.HexColor("#D5281B"))
        canvas.drawString(text_x, qr_y, f"This certificate is {certificate.status}.")

    canvas.showPage()
    canvas.save()
    return buffer.getvalue()
