"""Test data for signing: a one-page PDF and departments (org's factory)."""

import io

from reportlab.pdfgen import canvas

from tongban.org.tests.factories import DepartmentFactory

__all__ = ["DepartmentFactory", "one_page_pdf"]


def one_page_pdf(text: str = "license 2026") -> bytes:
    out = io.BytesIO()
    page = canvas.Canvas(out, invariant=True)
    page.drawString(72, 720, text)
    page.save()
    return out.getvalue()
