"""An invoice as PDF (ReportLab): number, dates with their zone, who is billed, lines, tax, total."""

from __future__ import annotations

import io

from django.conf import settings

from officium.accounts import localtime
from officium.billing.models import Invoice


def _money(cents: int, currency: str) -> str:
    return f"{cents / 100:,.2f} {currency}"


def render(invoice: Invoice) -> bytes:
    # ReportLab is imported when an invoice is drawn, not in every worker at start (a few MB).
    from reportlab.lib import colors
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.styles import getSampleStyleSheet
    from reportlab.lib.units import mm
    from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

    zone = localtime.zone_for(invoice.organization)
    styles = getSampleStyleSheet()
    buffer = io.BytesIO()
    document = SimpleDocTemplate(buffer, pagesize=A4, title=f"Invoice {invoice.number}",
                                 leftMargin=20 * mm, rightMargin=20 * mm, topMargin=20 * mm)
    story = [
        Paragraph(f"Invoice {invoice.number}", styles["Title"]),
        Paragraph(f"From: {settings.OFFICIUM_BILLING_ISSUER}", styles["Normal"]),
        Paragraph(f"To: {invoice.organization.name}", styles["Normal"]),
    ]
    if invoice.billed_name:
        story.append(Paragraph(f"Billed to: {invoice.billed_name}, {invoice.billed_address}", styles["Normal"]))
    story += [
        Paragraph(f"Issued: {localtime.format_datetime(invoice.issued_at, zone)}", styles["Normal"]),
        Paragraph(f"Period: {invoice.period_start.astimezone(zone):%d %b %Y} to "
                  f"{invoice.period_end.astimezone(zone):%d %b %Y}", styles["Normal"]),
        Paragraph(f"Status: {invoice.get_status_display()}"
                  + (f", paid with {invoice.card_label}" if invoice.card_label and invoice.paid_at else ""),
                  styles["Normal"]),
        Spacer(1, 8 * mm),
    ]
    rows = [["Description", "Amount"]]
    rows += [[line.description, _money(line.amount_cents, invoice.currency)] for line in invoice.lines.all()]
    rows += [["Subtotal", _money(invoice.subtotal_cents, invoice.currency)],
             [f"Tax ({invoice.tax_rate}%)", _money(invoice.tax_cents, invoice.currency)],
             ["Total", _money(invoice.total_cents, invoice.currency)]]
    table = Table(rows, colWidths=[120 * mm, 45 * mm])
    table.setStyle(TableStyle([
        ("FONTNAME", (0, 0), (-1, 0), "Helvetica-Bold"), ("FONTNAME", (0, -1), (-1, -1), "Helvetica-Bold"),
        ("LINEBELOW", (0, 0), (-1, 0), 0.5, colors.black), ("LINEABOVE", (0, -3), (-1, -3), 0.5, colors.black),
        ("ALIGN", (1, 0), (1, -1), "RIGHT")]))
    story += [table, Spacer(1, 8 * mm), Paragraph(
        "Kept for the period the law requires for billing records, also if an account is erased.",
        styles["Italic"])]
    document.build(story)
    return buffer.getvalue()
